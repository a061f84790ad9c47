// SPDX-License-Identifier: Apache-2.0
// ImapIdle on its own: when DONE is due (EXISTS grew while idling, or the caller asked, before or
// after the server's "+"), and that it is due at most once.
#include <doctest/doctest.h>

#include "protocols/imap/idle.hpp"

TEST_CASE("imap/idle: EXISTS past the count at the start ends it, once, only after the '+'") {
  mv::ImapIdle idle;
  idle.start(3);
  CHECK_FALSE(idle.accepted());
  CHECK_FALSE(idle.idling());
  CHECK_FALSE(idle.ends_at(4));  // not accepted yet: DONE would be a command of its own
  CHECK_FALSE(idle.accept());    // nobody asked for DONE
  CHECK(idle.accepted());
  CHECK(idle.idling());
  CHECK_FALSE(idle.ends_at(3));  // no growth
  CHECK_FALSE(idle.ends_at(2));  // an expunge
  CHECK(idle.ends_at(4));
  idle.done_sent();
  CHECK_FALSE(idle.idling());
  CHECK_FALSE(idle.ends_at(5));  // DONE went out already
  CHECK_FALSE(idle.stop());
}

TEST_CASE("imap/idle: asked to stop before the '+', DONE follows it") {
  mv::ImapIdle idle;
  idle.start(0);
  CHECK_FALSE(idle.stop());  // remembered
  CHECK(idle.accept());      // now due
  idle.done_sent();
  CHECK_FALSE(idle.stop());
}

TEST_CASE("imap/idle: asked to stop while idling: due at once; start() begins anew") {
  mv::ImapIdle idle;
  idle.start(1);
  idle.accept();
  CHECK(idle.stop());
  idle.done_sent();
  idle.start(7);  // the next IDLE forgets the last one's request and DONE
  CHECK_FALSE(idle.accepted());
  CHECK_FALSE(idle.accept());
  CHECK(idle.idling());
  CHECK_FALSE(idle.ends_at(7));
  CHECK(idle.ends_at(8));
}
