/**
 * Protocol events: sinks that judge an SMTP conversation while it happens, before the
 * {@code 250}, where a refusal costs the sender and not us, and that judge mail arriving any other
 * way (pickup, connectors, sinks' {@code send}) identically.
 *
 * <table>
 *   <caption>The events, in the order they fire</caption>
 *   <tr><th>event</th><th>SMTP: fires at</th><th>a reject means</th></tr>
 *   <tr><td>{@link dev.mailroot.sink.protocol.OnConnectSink OnConnect}</td><td>the connection, before the
 *       greeting</td><td>the connection is refused ({@code 554} or the sink's reply) and closed</td></tr>
 *   <tr><td>{@link dev.mailroot.sink.protocol.OnHeloSink OnHelo}</td><td>HELO / EHLO</td><td>the
 *       greeting is refused; MAIL is refused until a HELO/EHLO is accepted</td></tr>
 *   <tr><td>{@link dev.mailroot.sink.protocol.OnAuthSink OnAuth}</td><td>a successful AUTH (the password was
 *       right), before {@code 235}; SMTP only</td><td>the login is refused; the session stays
 *       unauthenticated</td></tr>
 *   <tr><td>{@link dev.mailroot.sink.protocol.OnMailFromSink OnMailFrom}</td><td>MAIL FROM</td><td>the
 *       transaction is refused</td></tr>
 *   <tr><td>{@link dev.mailroot.sink.protocol.OnRcptToSink OnRcptTo}</td><td>each RCPT TO</td><td>that
 *       recipient is refused; the others go on</td></tr>
 *   <tr><td>{@link dev.mailroot.sink.protocol.OnEndOfDataSink OnEndOfData}</td><td>the end of DATA (or
 *       BDAT LAST), before the reply</td><td>the message is refused; nothing is kept</td></tr>
 * </table>
 *
 * <p><b>Mail without a session.</b> Pickup mail, connector mail (the POP3 connector's downloads)
 * and mail sent by sinks run the same bindings in the same order in the queue, before the
 * OnSubmission sinks (OnHelo and OnAuth do not fire: there is no HELO, no AUTH), with a
 * session built from the envelope: {@link dev.mailroot.sink.protocol.ProtocolSession#sourceName()}
 * says where it came from, the client address is the one a connector recorded (if any), there is
 * no HELO name. A reject or disconnect sends the message to badmail with the reply as the reason;
 * a rejected recipient is dropped from the message and reported in badmail. A binding chooses its
 * sources with the rule keyword {@code SOURCE=} ({@code SOURCE=smtp}, {@code SOURCE=pop3-connector}).
 *
 * <p><b>Time limit and failures.</b> The client waits while a protocol sink runs, so the time limit
 * ({@code timeoutMs}) defaults to 5000 ms. A call that throws, overruns or returns an invalid
 * verdict is a failure; the binding's {@code onError} decides: {@code continue} (the default: the
 * failure is logged and the call counts as proceed, fail-open) or {@code tempfail} (the command is
 * answered {@code 451 4.7.1}, at OnConnect {@code 421 4.7.1}, and mail without a session waits and
 * is tried again). A {@code tempfail} binding is never disabled by the server for failing: that
 * would let mail through that the administrator chose to hold.
 *
 * <p><b>Notes.</b> {@link dev.mailroot.sink.protocol.ProtocolSession#notes()} are shared by all
 * protocol sinks of a session and copied into each message's notes for the OnSubmission sinks.
 */
package dev.mailroot.sink.protocol;
