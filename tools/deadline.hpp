// SPDX-License-Identifier: Apache-2.0
// -t/--deadline: one overall deadline for the whole run (every account of --accounts included),
// as a monitoring core's own check timeout expects. It is an interrupt that fires at a time
// (engine/interrupt.hpp, kDeadlineReached): a little before the deadline the runs stop waiting,
// remove the test message if it has arrived, log out and report run.deadline; if cleaning up has
// not finished by the deadline itself, the process prints the line prepared for that case and ends
// with its exit code, so it is never killed without a word by the monitoring core.
#pragma once

#include <string>

#include "engine/clock.hpp"

namespace mv::tool {

// The time kept back for cleaning up: a quarter of the deadline, at most 2 s.
Millis deadline_reserve(Millis deadline);

// Starts the clock (from now). last_words (a line with its newline) and exit_code are what the
// process prints and returns if it is still running at the deadline. Call once; false when the
// timer cannot be made (the run then has no overall deadline, and the caller says so).
bool arm_deadline(Millis deadline, std::string last_words, int exit_code);

}  // namespace mv::tool
