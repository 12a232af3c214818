package dev.mailroot.server.spool;

/** How far a spooled message has come. */
public enum Stage {
    /** Durable; the OnSubmission sinks have not (all) run yet. */
    SUBMITTED,
    /** The sinks ran and their changes are durable; delivery is what remains. */
    DISPATCHED
}
