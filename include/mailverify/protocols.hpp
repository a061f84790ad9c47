// SPDX-License-Identifier: Apache-2.0
// The pieces under mv::run(), for a program that drives the protocols itself.
//
// The protocol machines are sans-I/O (protocols/common/conversation.hpp): feed them the bytes a
// server sent and the time, ask them what to send and what happened. They never block, never
// touch a socket or the clock, never allocate beyond their Limits (core/limits.hpp)
// and never throw; after an error every call reports it again. Each object serves one session
// on one thread at a time; separate objects are independent.
//
//   SmtpClient  (protocols/smtp/client.hpp)   submission: EHLO, STARTTLS, AUTH, the message
//   ImapClient  (protocols/imap/client.hpp)   login, search, fetch, flags, folders, cleanup
//   Pop3Client  (protocols/pop3/client.hpp)   login, UIDL/TOP/RETR, DELE
//
// The transport (tls/): Connector resolves and connects without blocking (name lookups on a
// thread of its own; see the name-cache rule in mailverify.hpp), Stream reads and writes a
// non-blocking descriptor and upgrades it in place to TLS with certificate and host-name
// verification, TlsContext holds the trust store one or more streams share.
//
// The engine's loop (engine/pump.hpp) drives sessions (engine/session.hpp: a conversation over a
// stream with its deadlines) and plans; mv::run() is built from these.
#pragma once

#include "core/error.hpp"
#include "core/limits.hpp"
#include "engine/pump.hpp"
#include "engine/session.hpp"
#include "protocols/common/conversation.hpp"
#include "protocols/common/message.hpp"
#include "protocols/common/sasl.hpp"
#include "protocols/common/tls_mode.hpp"
#include "protocols/imap/client.hpp"
#include "protocols/pop3/client.hpp"
#include "protocols/smtp/client.hpp"
#include "tls/connector.hpp"
#include "tls/stream.hpp"
#include "tls/tls_context.hpp"
