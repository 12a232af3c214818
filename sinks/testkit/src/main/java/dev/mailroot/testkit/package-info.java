/**
 * The Mailroot sink testkit: unit tests for sinks without a server.
 *
 * <p>{@link dev.mailroot.testkit.FakeSubmission} is an in-memory message (envelope, headers, body,
 * notes, fates, sent mail) that behaves as the server's; {@link dev.mailroot.testkit.FakeSinkContext}
 * is the binding's id, name, properties and a logger that records; {@link dev.mailroot.testkit.ChainRunner}
 * runs several sinks with bindings, IIS rules and priorities as the server's OnSubmission stage
 * does and returns a {@link dev.mailroot.testkit.ChainResult} with what they decided and changed.
 * Depend on it in {@code test} scope ({@code mailroot-plugin-parent} does).
 */
package dev.mailroot.testkit;
