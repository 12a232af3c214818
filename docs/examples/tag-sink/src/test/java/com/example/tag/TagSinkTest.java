package com.example.tag;

import dev.mailroot.sink.SinkStatus;
import dev.mailroot.testkit.ChainResult;
import dev.mailroot.testkit.ChainRunner;
import dev.mailroot.testkit.FakeSinkContext;
import dev.mailroot.testkit.FakeSubmission;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TagSinkTest {

    private static FakeSubmission mailTo(String recipient) {
        return FakeSubmission.builder()
                .from("boss@example.com").to(recipient)
                .header("Subject", "hi").body("text\r\n")
                .build();
    }

    @Test
    void addsTheHeaderItsPropertiesName() throws Exception {
        FakeSubmission mail = mailTo("bob@example.com");
        FakeSinkContext context = FakeSinkContext.withProperties("header", "X-Priority", "value", "1");

        assertThat(new TagSink().onSubmission(mail, context)).isEqualTo(SinkStatus.RUN_NEXT_SINK);
        assertThat(mail.contentAsString()).isEqualTo("Subject: hi\r\nX-Priority: 1\r\n\r\ntext\r\n");
    }

    @Test
    void refusesABindingWithoutTheHeaderProperty() {
        assertThatThrownBy(() -> new TagSink().onSubmission(mailTo("bob@example.com"), FakeSinkContext.withProperties()))
                .hasMessageContaining("'header' is missing");
    }

    @Test
    void itsDefaultBindingTagsMailToSalesOnly() {
        ChainRunner server = ChainRunner.withDefaultBindings(new TagSink());

        ChainResult sales = server.run(mailTo("sales@example.com"));
        assertThat(sales.ran()).containsExactly("Tag mail to sales");
        assertThat(sales.headers().first("X-Team")).contains("sales");

        assertThat(server.run(mailTo("bob@example.com")).ran()).isEmpty();
    }
}
