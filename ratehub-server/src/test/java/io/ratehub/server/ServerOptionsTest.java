package io.ratehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratehub.core.ValidationException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The origin rule of {@link ServerOptions}: the server's own origin by default, others listed or opted into. */
class ServerOptionsTest {
    @ParameterizedTest(name = "{0} from a page of {1}: {2}")
    @CsvSource(nullValues = "NONE", value = {
        "127.0.0.1:8080, http://127.0.0.1:8080, true",
        "127.0.0.1:8080, https://127.0.0.1:8080, true",
        "Rates.Example.com, https://rates.example.com, true",
        "rates.example.com, https://rates.example.com:443, true",
        "rates.example.com:80, http://rates.example.com, true",
        "rates.example.com, http://rates.example.com, true",
        "[::1]:8080, http://[::1]:8080, true",
        "rates.example.com, https://rates.example.com.evil.example, false",
        "rates.example.com, http://rates.example.com:8080, false",
        "rates.example.com:443, http://rates.example.com, false",
        "127.0.0.1:8080, http://localhost:8080, false",
        "127.0.0.1:8080, ws://127.0.0.1:8080, false",
        "127.0.0.1:8080, file://127.0.0.1:8080, false",
        "127.0.0.1:8080, null, false",
        "127.0.0.1:8080, http://user@127.0.0.1:8080, false",
        "127.0.0.1:8080, http://127.0.0.1:8080/page, false",
        "127.0.0.1:8080, not a uri, false",
        "NONE, http://127.0.0.1:8080, false",
        "127.0.0.1:8080/x, http://127.0.0.1:8080, false",
    })
    void byDefaultOnlyTheServersOwnOriginIsAllowed(String host, String origin, boolean allowed) {
        assertThat(ServerOptions.defaults().originAllowed(origin, host)).isEqualTo(allowed);
    }

    @Test
    void aClientWithoutAnOriginIsNotABrowserAndConnectsUnlessAListIsSet() {
        assertThat(ServerOptions.defaults().originAllowed(null, "127.0.0.1:8080")).isTrue();
        ServerOptions listed = ServerOptions.builder().allowedOrigins(List.of("https://dash.example.com")).build();
        assertThat(listed.originAllowed(null, "127.0.0.1:8080")).isFalse();
        assertThat(listed.originAllowed("https://dash.example.com", "127.0.0.1:8080")).isTrue();
        assertThat(listed.originAllowed("https://dash.example.com:443", "127.0.0.1:8080")).as("listed as sent")
                .isFalse();
        assertThat(listed.originAllowed("http://127.0.0.1:8080", "127.0.0.1:8080")).as("its own").isTrue();
        assertThat(listed.originAllowed("https://evil.example", "127.0.0.1:8080")).isFalse();
    }

    @Test
    void anyOriginIsAnExplicitChoice() {
        assertThat(ServerOptions.defaults().anyOriginAllowed()).isFalse();
        ServerOptions any = ServerOptions.builder().allowAnyOrigin(true).build();
        assertThat(any.originAllowed("https://evil.example", "127.0.0.1:8080")).isTrue();
        assertThat(any.originAllowed(null, null)).isTrue();
    }

    @Test
    void embeddedWithoutAHostOnlyListedOriginsPass() {
        ServerOptions listed = ServerOptions.builder().allowedOrigins(List.of("https://app.example.com")).build();
        assertThat(listed.originAllowed("https://app.example.com", null)).isTrue();
        assertThat(ServerOptions.defaults().originAllowed("https://app.example.com", null)).isFalse();
    }

    @Test
    void aMissingListIsATypedError() {
        assertThatThrownBy(() -> ServerOptions.builder().allowedOrigins(null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> ServerOptions.builder().allowedOrigins(java.util.Arrays.asList("a", null)))
                .isInstanceOf(ValidationException.class);
    }
}
