package dev.mailroot.server.sieve;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What the owner of a broken script is told, and that a script failing at run time loses no mail. */
class SieveCompileTest {

    final SieveScripts sieve = new SieveScripts();

    SieveSyntaxError errorOf(String script) {
        SieveSyntaxError e = catchThrowableOfType(SieveSyntaxError.class, () -> sieve.compile(script));
        assertThat(e).as("compiling %s", script).isNotNull();
        assertThat(e.message()).doesNotContain("\n").isEqualTo(e.getMessage());
        return e;
    }

    @Test
    void anUnknownCommandIsReportedWithItsLine() {
        SieveSyntaxError e = errorOf("require \"fileinto\";\n\nfilein \"x\";\n");
        assertThat(e.message()).isEqualTo("line 3: unknown command 'filein'");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(1);
    }

    @Test
    void grammarErrorsNameTheLineAndWhatWasFound() {
        assertThat(errorOf("keep;\nif true { keep }\n").message()).startsWith("line 2: unexpected '}'");
        assertThat(errorOf("keep;\nif true {\n  keep;\n").message()).startsWith("line 3: unexpected end of script");
        assertThat(errorOf("keep;\nredirect \"a@b.example\n\n").message())
                .isEqualTo("line 2: unclosed string or comment");
        assertThat(errorOf("keep;\n  discard @;\n").message()).startsWith("line 2: unexpected character");
        assertThat(errorOf("keep\ndiscard;").message()).isEqualTo("line 2: unexpected command 'discard' (missing ';' before it?)");
    }

    @Test
    void anExtensionMustBeRequiredBeforeItIsUsed() {
        assertThat(errorOf("keep;\nfileinto \"x\";").message())
                .isEqualTo("line 2: 'fileinto' used without require \"fileinto\"");
        assertThat(errorOf("if envelope :is \"from\" \"a@b.example\" { keep; }").message())
                .isEqualTo("line 1: 'envelope' used without require \"envelope\"");
        assertThat(errorOf("keep;\nrequire \"fileinto\";").message())
                .isEqualTo("line 2: 'require' must come before every other command");
    }

    @Test
    void extensionsNotSupportedAreRefusedAtTheirLine() {
        assertThat(errorOf("require \"fileinto\";\nrequire [\"imap4flags\"];").message())
                .isEqualTo("line 2: unsupported extension 'imap4flags'");
        assertThat(errorOf("require \"reject\";").message()).isEqualTo("line 1: unsupported extension 'reject'");
        assertThat(errorOf("require \"body\";").message()).isEqualTo("line 1: unsupported extension 'body'");
        assertThat(errorOf("reject \"no\";").message()).isEqualTo("line 1: command 'reject' is not supported here");
        assertThat(errorOf("if body :contains \"x\" { keep; }").message())
                .isEqualTo("line 1: test 'body' is not supported here");
        assertThat(errorOf("if spam { keep; }").message()).isEqualTo("line 1: unknown test 'spam'");
    }

    @Test
    void wrongArgumentsAreCaughtAtCompileTimeEvenInBranchesNotTaken() {
        assertThat(errorOf("require \"fileinto\";\nif false {\n  fileinto;\n}").line()).isEqualTo(3);
        assertThat(errorOf("if false { redirect [\"a@b.example\", \"c@d.example\"]; }").line()).isEqualTo(1);
        assertThat(errorOf("keep \"x\";").line()).isEqualTo(1);
        assertThat(errorOf("if true keep;").line()).isEqualTo(1);
        assertThat(errorOf("if false { stop; }\nif header :frobnicate \"Subject\" \"x\" { keep; }").line()).isEqualTo(2);
        assertThat(errorOf("if size 10 { keep; }").line()).isEqualTo(1);
        assertThat(errorOf("require \"vacation\";\nvacation :days \"x\" \"away\";").line()).isEqualTo(2);
    }

    @Test
    void aScriptThatFailsAtRunTimeKeepsTheMessageAndSaysWhy() throws Exception {
        SieveScripts.Compiled twice = sieve.compile(
                "require [\"fileinto\", \"vacation\"];\nfileinto \"x\";\nvacation \"a\";\nvacation \"b\";\n");
        Decision d = sieve.evaluate(twice, SieveScriptsTest.REPORT);
        assertThat(d.actions()).containsExactly(new SieveAction.Keep());
        assertThat(d.errors()).singleElement().asString().startsWith("line 4: ");
    }

    @Test
    void aRedirectTargetOrFolderThatCannotBeUsedIsRefusedAtCompileTime() {
        assertThat(errorOf("keep;\nredirect \"Carol <carol@example.org>\";").message())
                .startsWith("line 2: redirect to 'Carol <carol@example.org>': not an address");
        assertThat(errorOf("require \"fileinto\";\nif false { fileinto \"../../etc\"; }").message())
                .startsWith("line 2: fileinto '../../etc': ");
        assertThat(errorOf("require \"fileinto\"; fileinto \"\";").line()).isEqualTo(1);
    }

    @Test
    void elsifAndElseMustFollowAnIf() {
        assertThat(errorOf("keep;\nelsif true { discard; }").message()).isEqualTo("line 2: 'elsif' must follow 'if' or 'elsif'");
        assertThat(errorOf("if true { keep; }\nkeep;\nelse { discard; }").line()).isEqualTo(3);
    }

    @Test
    void aNumberTooLargeIsASyntaxErrorNotACrash() {
        assertThat(errorOf("if size :over 9999999999 { discard; }").message()).startsWith("a number too large");
    }

    @Test
    void aScriptFileIsCompiledOnceUntilItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bob.sieve");
        Files.writeString(file, "require \"fileinto\"; fileinto \"A\";", StandardCharsets.UTF_8);
        SieveScripts.Compiled first = sieve.compile(file);
        assertThat(sieve.compile(file)).isSameAs(first);

        Files.writeString(file, "require \"fileinto\"; fileinto \"B\";", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(sieve.evaluate(sieve.compile(file), SieveScriptsTest.REPORT).folders()).containsExactly("B");

        Files.writeString(file, "fileinto \"B\";", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertThatThrownBy(() -> sieve.compile(file)).isInstanceOf(SieveSyntaxError.class)
                .hasMessage("line 1: 'fileinto' used without require \"fileinto\"");
        assertThatThrownBy(() -> sieve.compile(file)).isInstanceOf(SieveSyntaxError.class);
    }

    @Test
    void aScriptFileThatIsNotUtf8IsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bob.sieve");
        Files.write(file, new byte[] {'k', 'e', 'e', 'p', ';', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> sieve.compile(file)).isInstanceOf(SieveSyntaxError.class)
                .hasMessage("the script is not UTF-8 text");
    }

    @Test
    void theRequiredExtensionsAreListed() throws Exception {
        assertThat(sieve.compile("require [\"vacation\", \"fileinto\"]; keep;").requires())
                .containsExactly("vacation", "fileinto");
        assertThat(sieve.extensions()).contains("fileinto", "envelope", "vacation").doesNotContain("reject", "body");
    }
}
