package dev.mailroot.bindings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ControlCharactersTest {

    @Test
    void controlCharactersAreShownAsVisibleEscapes() {
        assertThat(ControlCharacters.escape("evil\n2026-12-04 00:00:00.000 INFO forged.eml"))
                .isEqualTo("evil\\n2026-12-04 00:00:00.000 INFO forged.eml");
        assertThat(ControlCharacters.escape("a\u001b[31mb\r\t\u0000\u007f\u0085\u009b"))
                .isEqualTo("a\\x1b[31mb\\r\\t\\x00\\x7f\\x85\\x9b");
        assertThat(ControlCharacters.escape("line\u2028sep\u2029 \u202eevil\u2066"))
                .isEqualTo("line\\u2028sep\\u2029 \\u202eevil\\u2066");
    }

    @Test
    void printableTextIsLeftAloneAndReturnedAsIs() {
        String text = "Grüße, 日本語, emoji 👍, back\\slash, \"quotes\" <a@b>";
        assertThat(ControlCharacters.escape(text)).isSameAs(text);
        assertThat(ControlCharacters.indexOf(text)).isEqualTo(-1);
        assertThat(ControlCharacters.escape(null)).isNull();
    }

    @Test
    void indexOfFindsTheFirstControlCharacter() {
        assertThat(ControlCharacters.indexOf("ab\u001bc\n")).isEqualTo(2);
        assertThat(ControlCharacters.indexOf(null)).isEqualTo(-1);
    }

    @Test
    void noEscapedTextHoldsAControlCharacter() {
        for (char c = 0; c < 0x3000; c++) {
            String escaped = ControlCharacters.escape("x" + c + "y");
            assertThat(ControlCharacters.indexOf(escaped)).as("U+%04X", (int) c).isEqualTo(-1);
            assertThat(escaped.lines().count()).as("U+%04X", (int) c).isEqualTo(1);
        }
    }
}
