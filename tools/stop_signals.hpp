// SPDX-License-Identifier: Apache-2.0
// SIGINT and SIGTERM (Ctrl-C, a monitoring system's timeout, an appliance's supervisor) end the
// runs early but cleanly through engine/interrupt.hpp: the test message is removed if it has
// arrived, the sessions log out, and the result says "interrupted". The first signal gives both
// back to their default action, so a second one ends the process at once.
#pragma once

namespace mv::tool {

// Installs the handler; call right before the runs start (not while a password is prompted for).
void catch_stop_signals();

}  // namespace mv::tool
