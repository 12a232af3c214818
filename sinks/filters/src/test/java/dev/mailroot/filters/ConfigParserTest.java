package dev.mailroot.filters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigParserTest {

    @SuppressWarnings("unchecked")
    private static FiltersConfig parse(String yaml) throws Exception {
        Object tree = new ObjectMapper(new YAMLFactory()).readValue(yaml.isBlank() ? "{}" : yaml, Object.class);
        return ConfigParser.parse(tree == null ? Map.of() : (Map<String, Object>) tree, "conf/filters.yaml");
    }

    @Test
    void theDocumentedExampleIsValid() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../../docs/filters.md"));
        String example = doc.substring(doc.indexOf("```yaml\n# conf/filters.yaml") + 8);
        example = example.substring(0, example.indexOf("```"));

        FiltersConfig c = parse(example);

        assertThat(c.connection().dnsbl().zones()).extracting(FiltersConfig.Zone::zone).contains("zen.spamhaus.org");
        assertThat(c.content().engine()).isEqualTo(FiltersConfig.Engine.RSPAMD);
    }

    @Test
    void theDefaultsFilterNothing() throws Exception {
        FiltersConfig c = parse("");

        assertThat(c.connection().allow()).isEmpty();
        assertThat(c.connection().deny()).isEmpty();
        assertThat(c.connection().dnsbl().zones()).isEmpty();
        assertThat(c.connection().dnsbl().timeout()).hasMillis(1500);
        assertThat(c.sender().blocked()).isEmpty();
        assertThat(c.recipient().blocked()).isEmpty();
        assertThat(c.recipient().rejectUnknown()).isFalse();
        assertThat(c.content().port()).isEqualTo(11333);
        assertThat(parse("content: {engine: spamd}").content().port()).isEqualTo(783);
    }

    @Test
    void eachProblemIsOneMessageNamingTheFileAndTheKey() {
        String yaml = """
                connection:
                  allow: [10.0.0.0/8, 10.1.2.300/32, "2001:db8::/129"]
                  dnsbl: {zones: [{zone: zen.spamhaus.org, reply: "554 5.7.1 bad\\u0007bell"}], resolver: "dns.example:53"}
                sender: {action: bounce}
                recipient: {reply: "550 4.1.1 <{rcpt}> no", blokced: []}
                content: {engine: spamassassin, rejectScore: high}
                """;

        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(ConfigParser.Invalid.class, e -> assertThat(e.problems())
                .containsExactly(
                        "conf/filters.yaml: connection.dnsbl.zones[0]: zone zen.spamhaus.org: reply: reply text contains the character \\u0007 at position 4; a reply is one line of printable ASCII",
                        "conf/filters.yaml: connection.dnsbl.resolver: 'dns.example' is not an IP address or network (192.0.2.0/24, 2001:db8::/32)",
                        "conf/filters.yaml: connection.allow[1]: '10.1.2.300/32' is not an IP address or network (192.0.2.0/24, 2001:db8::/32)",
                        "conf/filters.yaml: connection.allow[2]: '2001:db8::/129': the prefix length must be 0..128",
                        "conf/filters.yaml: sender.action: unknown action 'bounce' (known: reject, tag)",
                        "conf/filters.yaml: recipient.blokced: unknown key (known: blocked, rejectUnknown, reply, unknownReply)",
                        "conf/filters.yaml: recipient.reply: enhanced status code 4.1.1 does not match reply code 550 (RFC 3463: 5.x.x with 5xx)",
                        "conf/filters.yaml: content.engine: unknown engine 'spamassassin' (known: rspamd, spamd, none)",
                        "conf/filters.yaml: content.rejectScore: 'high' is not a score (a number, or off)"));
    }
}
