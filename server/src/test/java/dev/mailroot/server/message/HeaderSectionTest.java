package dev.mailroot.server.message;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeaderSectionTest {

    private static HeaderSection parse(String s) throws IOException {
        return HeaderSection.parse(MessageContent.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String apply(HeaderSection h, String original) throws IOException {
        return new String(MessageContent.readAll(h.applyTo(MessageContent.of(original.getBytes(StandardCharsets.UTF_8)))),
                StandardCharsets.UTF_8);
    }

    @Test
    void readsFoldedFieldsCaseInsensitivelyAndFindsTheBody() throws IOException {
        String msg = "Received: from a\r\n\tby b; date\r\nSubject: one\r\n two\r\nX-Empty:\r\nsubject: again\r\n\r\nbody\r\n";
        HeaderSection h = parse(msg);
        assertThat(h.names()).containsExactly("Received", "Subject", "X-Empty", "subject");
        assertThat(h.first("SUBJECT")).contains("one two");
        assertThat(h.all("subject")).containsExactly("one two", "again");
        assertThat(h.first("x-empty")).contains("");
        assertThat(h.first("Missing")).isEmpty();
        assertThat(msg.substring((int) h.bodyStart())).isEqualTo("body\r\n");
        assertThat(h.newline()).isEqualTo("\r\n");
    }

    @Test
    void untouchedFieldsAreWrittenBackByteForByte() throws IOException {
        String msg = "A:  odd   spacing\r\nB : obsolete space\r\n  continued\r\nC: c\r\n\r\nbody";
        HeaderSection h = parse(msg);
        assertThat(h.changed()).isFalse();
        assertThat(apply(h, msg)).isEqualTo(msg);
        h.set("C", "new");
        assertThat(apply(h, msg)).isEqualTo("A:  odd   spacing\r\nB : obsolete space\r\n  continued\r\nC: new\r\n\r\nbody");
    }

    @Test
    void addSetAndRemoveKeepTheOtherFieldsAndTheMessagesLineEnds() throws IOException {
        String msg = "To: a\nCc: b\nCc: c\n\nbody\n";
        HeaderSection h = parse(msg);
        assertThat(h.newline()).isEqualTo("\n");
        h.add("X-New", "1");
        h.set("Cc", "d");
        assertThat(h.remove("to")).isEqualTo(1);
        h.prepend("Received", "first");
        assertThat(apply(h, msg)).isEqualTo("Received: first\nCc: d\nX-New: 1\n\nbody\n");
        assertThat(h.changed()).isTrue();
    }

    @Test
    void aMessageWithoutABlankLineOrWithoutHeadersIsHandled() throws IOException {
        HeaderSection onlyHeaders = parse("Subject: x\r\nTo: y");
        assertThat(onlyHeaders.names()).containsExactly("Subject", "To");
        onlyHeaders.add("X", "z");
        assertThat(apply(onlyHeaders, "Subject: x\r\nTo: y")).isEqualTo("Subject: x\r\nTo: y\r\nX: z\r\n");

        HeaderSection noHeaders = parse("just some text\r\nwithout fields\r\n");
        assertThat(noHeaders.names()).isEmpty();
        assertThat(noHeaders.bodyStart()).isZero();

        HeaderSection empty = parse("");
        assertThat(empty.names()).isEmpty();
    }

    @Test
    void namesAndValuesThatWouldBreakTheMessageAreRefused() throws IOException {
        HeaderSection h = parse("A: b\r\n\r\n");
        assertThatThrownBy(() -> h.add("Bad:Name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X", "a\r\nInjected: yes")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.set("X", "a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.changed()).isFalse();
    }

    @Test
    void slicesAndConcatenationsReadTheRightBytes() throws IOException {
        MessageContent c = MessageContent.concat(MessageContent.of("head|".getBytes()), MessageContent.of("0123456789".getBytes(), 2, 5));
        assertThat(new String(MessageContent.readAll(c))).isEqualTo("head|23456");
        assertThat(new String(MessageContent.readAll(c.slice(3)))).isEqualTo("d|23456");
        assertThat(new String(MessageContent.readAll(c.slice(7)))).isEqualTo("456");
        assertThat(c.size()).isEqualTo(10);
    }

    @Test
    void theLineEndOfAMessageIsThatOfItsFirstLine() throws IOException {
        assertThat(HeaderSection.newlineOf(MessageContent.of("A: b\r\nC: d\n".getBytes()))).isEqualTo("\r\n");
        assertThat(HeaderSection.newlineOf(MessageContent.of("A: b\nC: d\r\n".getBytes()))).isEqualTo("\n");
        assertThat(HeaderSection.newlineOf(MessageContent.of("no line end".getBytes()))).isEqualTo("\r\n");
        byte[] longFirstLine = ("X: " + "y".repeat(10_000) + "\n").getBytes();
        assertThat(HeaderSection.newlineOf(MessageContent.of(longFirstLine))).isEqualTo("\n");
    }
}
