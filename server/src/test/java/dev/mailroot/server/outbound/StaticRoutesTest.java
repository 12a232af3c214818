package dev.mailroot.server.outbound;

import dev.mailroot.server.outbound.MxResolver.DnsFailure;
import dev.mailroot.server.outbound.MxResolver.Route;
import dev.mailroot.server.outbound.MxResolver.Target;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@link StaticRoutes} as a transport map: a domain's own entry, the smarthost for the rest, and {@link SmtpReply} parsing. */
class StaticRoutesTest {

    @Test
    void aDomainUsesItsOwnEntryAndEveryOtherDomainTheSmarthost() throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("Example.Test", "127.0.0.1:2525");
        map.put("*", "[::1]:587");
        StaticRoutes routes = new StaticRoutes(map);

        Route own = routes.route("example.TEST");
        Route other = routes.route("elsewhere.test");

        assertThat(own.destination()).isEqualTo("example.test");
        assertThat(own.targets()).extracting(Target::toString).containsExactly("127.0.0.1[127.0.0.1]:2525");
        assertThat(other.destination()).isEqualTo("[::1]:587");
        assertThat(other.targets()).extracting(Target::port).containsExactly(587);
    }

    @Test
    void aDomainWithoutAnEntryIsDeferredNotBounced() {
        StaticRoutes routes = new StaticRoutes(Map.of("example.test", "localhost"));

        DnsFailure f = catchThrowableOfType(() -> routes.route("other.test"), DnsFailure.class);

        assertThat(f.permanent()).isFalse();
        assertThat(f.reply().toString()).isEqualTo("451 4.4.4 other.test: no route in the transport map");
    }

    @Test
    void aMalformedEntryIsRefusedWhenTheMapIsBuilt() {
        assertThatThrownBy(() -> new StaticRoutes(Map.of("*", "relay.test:smtp"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StaticRoutes(Map.of("*", "[::1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMultiLineReplyIsOneLineWithItsEnhancedCodeOnce() {
        SmtpReply r = SmtpReply.parse(List.of("550-5.1.1 <bob@example.org>: no such user", "550 5.1.1 see https://example.org/help"));
        SmtpReply mismatched = SmtpReply.parse(List.of("451 5.1.1 odd server"));

        assertThat(r.toString()).isEqualTo("550 5.1.1 <bob@example.org>: no such user see https://example.org/help");
        assertThat(r.permanent()).isTrue();
        assertThat(mismatched.enhanced()).isNull();
        assertThat(mismatched.toString()).isEqualTo("451 5.1.1 odd server");
        assertThat(SmtpReply.of(250, null, "").toString()).isEqualTo("250");
    }
}
