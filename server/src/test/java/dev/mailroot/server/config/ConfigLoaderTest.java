package dev.mailroot.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private MailrootConfig load(String yaml) throws Exception {
        Path file = dir.resolve("mailroot.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader().load(file, true);
    }

    private String error(String yaml) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> load(yaml));
        assertThat(t).isInstanceOf(ConfigException.class);
        assertThat(t.getMessage()).doesNotContain("\n");
        return t.getMessage();
    }

    @Test
    void withoutAFileTheEmbeddedDefaultsApply() throws Exception {
        MailrootConfig c = new ConfigLoader().load(dir.resolve("absent.yaml"), false);
        assertThat(c.smtp().bind()).isEqualTo("127.0.0.1");
        assertThat(c.smtp().port()).isEqualTo(2525);
        assertThat(c.smtp().hostname()).isNotBlank();
        assertThat(c.smtp().maxMessageSize()).isEqualTo(26214400);
        assertThat(c.smtp().maxRecipients()).isEqualTo(100);
        assertThat(c.smtp().maxConnections()).isEqualTo(200);
        assertThat(c.smtp().idleTimeoutSeconds()).isEqualTo(300);
        assertThat(c.domains()).containsExactly("localhost");
        assertThat(c.mailboxes().autoCreate()).isTrue();
    }

    @Test
    void aFileOverridesOnlyTheKeysItNames() throws Exception {
        MailrootConfig c = load("smtp:\n  port: 2600\n  hostname: mx.example.com\ndomains: [Example.COM, example.net]\n");
        assertThat(c.smtp().port()).isEqualTo(2600);
        assertThat(c.smtp().hostname()).isEqualTo("mx.example.com");
        assertThat(c.smtp().maxRecipients()).isEqualTo(100);
        assertThat(c.domains()).containsExactly("example.com", "example.net");
        assertThat(c.mailboxes().autoCreate()).isTrue();
    }

    @Test
    void anEmptyFileMeansDefaults() throws Exception {
        assertThat(load("# nothing to change\n").smtp().port()).isEqualTo(2525);
    }

    @Test
    void anUnknownKeyIsNamedWithItsLine() {
        assertThat(error("smtp:\n  port: 2600\n  prot: 25\n"))
                .contains("mailroot.yaml (line 3)", "unknown key 'smtp.prot'", "port");
        assertThat(error("domain: [x.example]\n")).contains("(line 1)", "unknown key 'domain'");
    }

    @Test
    void aValueOutOfRangeIsNamedWithItsLine() {
        assertThat(error("smtp:\n  port: 70000\n")).contains("(line 2)", "smtp.port", "70000", "0..65535");
        assertThat(error("smtp: {maxRecipients: 0}\n")).contains("smtp.maxRecipients");
        assertThat(error("delivery: {threads: 0}\n")).contains("delivery.threads");
    }

    @Test
    void aValueOfTheWrongTypeIsNamed() {
        assertThat(error("smtp:\n  port: twenty\n")).contains("(line 2)", "smtp.port", "'twenty'", "whole number");
        assertThat(error("mailboxes:\n  autoCreate: sometimes\n")).contains("mailboxes.autoCreate", "true or false");
        assertThat(error("domains: localhost\n")).contains("domains");
    }

    @Test
    void badDomainsAndAddressesAreRefused() {
        assertThat(error("domains: []\n")).contains("domains", "at least one");
        assertThat(error("domains: [\"bad domain\"]\n")).contains("'bad domain' is not a domain name");
        assertThat(error("smtp: {bind: no-such-host.invalid}\n")).contains("smtp.bind");
        assertThat(error("smtp: null\n")).contains("smtp");
    }

    @Test
    void adminHostsAreExtraHostNamesForTheAdminEndpointNoneByDefault() throws Exception {
        assertThat(new ConfigLoader().defaults().admin().hosts()).isEmpty();
        MailrootConfig c = load("admin:\n  hosts: [Mailroot.Example.LAN, 10.0.0.5, \"[fd00::1]\"]\n");
        assertThat(c.admin().hosts()).containsExactly("mailroot.example.lan", "10.0.0.5", "[fd00::1]");
        assertThat(c.admin().port()).isEqualTo(8025);
        assertThat(error("admin:\n  hosts: [\"evil.example/x\"]\n")).contains("(line 2)", "admin.hosts", "'evil.example/x'");
        assertThat(error("admin: {hosts: [\"*\"]}\n")).contains("admin.hosts");
        assertThat(error("admin: {hosts: \"fd00::1\"}\n")).contains("admin.hosts");
    }

    @Test
    void yamlThatDoesNotParseIsReportedWithItsPosition() {
        assertThat(error("smtp:\n  port: [\n")).contains("not valid YAML", "line");
        assertThat(error("- just\n- a list\n")).contains("expected keys");
    }

    @Test
    void aNamedFileThatDoesNotExistIsAnError() {
        assertThatThrownBy(() -> new ConfigLoader().load(dir.resolve("missing.yaml"), true))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no such file");
    }
}
