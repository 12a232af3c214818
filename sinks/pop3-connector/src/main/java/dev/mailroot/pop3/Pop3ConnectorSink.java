package dev.mailroot.pop3;

import dev.mailroot.sink.DefaultBinding;
import dev.mailroot.sink.OnSubmissionSink;
import dev.mailroot.sink.SinkContext;
import dev.mailroot.sink.SinkStatus;
import dev.mailroot.sink.Submission;
import org.pf4j.Extension;

import java.util.Locale;

/**
 * The "POP3 Connector Event Sink": rewrites each {@code mspop3connector.<mailbox>@<domain>}
 * recipient that the connector's transfer wrote into {@code <mailbox>@<domain>}, and leaves every
 * other recipient alone. It returns {@link SinkStatus#RUN_NEXT_SINK}, so every other binding still
 * sees connector mail (unlike SBS 2003, where connector mail bypassed filtering).
 */
@Extension
@DefaultBinding(id = "{66F4180A-627E-4073-8D31-51F628AA8366}", name = "POP3 Connector Event Sink",
        rule = "RCPT TO=*mspop3connector.*", priority = 0)
public final class Pop3ConnectorSink implements OnSubmissionSink {

    @Override
    public SinkStatus onSubmission(Submission submission, SinkContext context) {
        for (String r : submission.envelope().recipients()) {
            if (r.toLowerCase(Locale.ROOT).startsWith(Transfer.PREFIX) && r.indexOf('@') > Transfer.PREFIX.length()) {
                String local = r.substring(Transfer.PREFIX.length());
                submission.envelope().replaceRecipient(r, local);
                context.logger().debug("MR5008 recipient <{}> is mailbox <{}>", r, local);
            }
        }
        return SinkStatus.RUN_NEXT_SINK;
    }
}
