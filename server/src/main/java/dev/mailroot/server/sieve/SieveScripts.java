package dev.mailroot.server.sieve;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.jsieve.CommandManager;
import org.apache.jsieve.ComparatorManager;
import org.apache.jsieve.ConfigurationManager;
import org.apache.jsieve.SieveConfigurationException;
import org.apache.jsieve.SieveFactory;
import org.apache.jsieve.TestManager;
import org.apache.jsieve.parser.generated.ParseException;
import org.apache.jsieve.parser.generated.SieveParser;
import org.apache.jsieve.parser.generated.SimpleNode;
import org.apache.jsieve.parser.generated.Token;
import org.apache.jsieve.parser.generated.TokenMgrError;

/**
 * Compiles Sieve scripts (RFC 5228, with fileinto, envelope, vacation) and evaluates them against
 * a message for one mailbox, with Apache jSieve underneath. What is supported: {@code docs/sieve.md}.
 *
 * <p>A script is parsed and checked once ({@link #compile}); the {@link Compiled} script is
 * immutable and may be evaluated by any number of threads at once. {@link #evaluate} never throws
 * for a failure of the script: it keeps the message and says why ({@link Decision#errors()}).
 * Thread-safe; one instance serves the whole server.
 */
public final class SieveScripts {

    /** Scripts larger than this are refused: a mailbox rule set is a few kilobytes. */
    public static final int MAX_SCRIPT_BYTES = 1 << 20;

    private static final Pattern LEXICAL_ERROR =
            Pattern.compile("Lexical error at line (\\d+), column (\\d+)\\.\\s*Encountered: (.*?)( after : .*)?$",
                    Pattern.DOTALL);

    private final SieveFactory factory;
    private final CommandManager commands;
    private final ComparatorManager comparators;
    private final TestManager tests;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

    /** Loads jSieve's configuration of commands, tests and comparators. */
    public SieveScripts() {
        ConfigurationManager configuration;
        try {
            configuration = new ConfigurationManager();
        } catch (SieveConfigurationException e) {
            throw new IllegalStateException("jSieve's configuration is missing from the class path", e);
        }
        this.commands = configuration.getCommandManager();
        this.comparators = configuration.getComparatorManager();
        this.tests = configuration.getTestManager();
        this.factory = new SieveFactory(commands, comparators, tests);
    }

    /** The extensions a script may {@code require} here, sorted. */
    public List<String> extensions() {
        return ScriptCheck.EXTENSIONS.stream().sorted().toList();
    }

    /**
     * Parses and checks a script.
     *
     * @throws SieveSyntaxError if the grammar is broken, a command or test is unknown or not
     *                          supported, an extension is used without {@code require}, or a
     *                          command's arguments are wrong; with the line where known
     */
    public Compiled compile(String scriptText) throws SieveSyntaxError {
        Objects.requireNonNull(scriptText, "scriptText");
        // jSieve's grammar ends text: strings only at CRLF, and scripts written on Unix have LF
        String text = scriptText.replaceAll("\r?\n|\r(?!\n)", "\r\n");
        SimpleNode start;
        try {
            start = new SieveParser(new StringReader(text)).start();
        } catch (ParseException e) {
            throw parseError(e);
        } catch (TokenMgrError e) {
            throw lexicalError(e);
        } catch (StackOverflowError e) {
            throw new SieveSyntaxError(0, 0, "the script is nested too deeply");
        } catch (NumberFormatException e) {
            throw new SieveSyntaxError(0, 0, "a number too large: " + e.getMessage());
        }
        List<String> requires;
        try {
            requires = new ScriptCheck(commands, comparators, tests).check(start);
        } catch (StackOverflowError e) {
            throw new SieveSyntaxError(0, 0, "the script is nested too deeply");
        } catch (RuntimeException e) {
            throw new SieveSyntaxError(0, 0, "cannot check the script: " + e);
        }
        return new Compiled(start, requires);
    }

    /**
     * Installs {@code text} as the script {@code target} if it compiles: written to a temporary name,
     * forced to disk and renamed into place, so delivery never reads half a script. What
     * {@code mailbox set --sieve} and the web console's editor do.
     *
     * @throws SieveSyntaxError if it does not compile (nothing is written)
     */
    public void install(Path target, String text) throws IOException, SieveSyntaxError {
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SCRIPT_BYTES) {
            throw new SieveSyntaxError(0, 0, "the script is larger than " + MAX_SCRIPT_BYTES + " bytes");
        }
        compile(text);
        Files.createDirectories(target.getParent());
        dev.mailroot.server.spool.Fsync.replace(target, text);
    }

    /**
     * Reads a script file (UTF-8) and compiles it, or returns the result of the last compilation of
     * that file if its modification time, size and file key have not changed since. A file that
     * failed to compile fails again without being parsed again until it changes.
     *
     * @throws IOException      if the file cannot be read
     * @throws SieveSyntaxError as {@link #compile(String)}, and for a file that is not UTF-8 text or is too large
     */
    public Compiled compile(Path file) throws IOException, SieveSyntaxError {
        Path key = file.toAbsolutePath().normalize();
        BasicFileAttributes attributes = Files.readAttributes(key, BasicFileAttributes.class);
        Cached cached = cache.get(key);
        if (cached != null && cached.isOf(attributes)) {
            return cached.result();
        }
        Cached fresh;
        try {
            fresh = new Cached(attributes, compile(read(key, attributes)), null);
        } catch (SieveSyntaxError e) {
            fresh = new Cached(attributes, null, e);
        }
        cache.put(key, fresh);
        return fresh.result();
    }

    /**
     * Runs a compiled script against a message for one mailbox. Never throws for the script's
     * failures: a script that fails at run time decides {@link SieveAction.Keep} alone, and the
     * failure (with its line where known) is in {@link Decision#errors()}.
     */
    public Decision evaluate(Compiled script, SieveMail mail) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(mail, "mail");
        JsieveMail adapter = new JsieveMail(mail);
        try {
            factory.evaluate(adapter, script.start);
            return Actions.decide(adapter.getActions());
        } catch (Exception | StackOverflowError | TokenMgrError e) {
            return Decision.keepAfterError(ErrorPosition.of(e).describe());
        }
    }

    private static String read(Path file, BasicFileAttributes attributes) throws IOException, SieveSyntaxError {
        if (attributes.size() > MAX_SCRIPT_BYTES) {
            throw new SieveSyntaxError(0, 0, "the script is larger than " + MAX_SCRIPT_BYTES + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SieveSyntaxError(0, 0, "the script is not UTF-8 text");
        }
    }

    private static SieveSyntaxError parseError(ParseException e) {
        Token at = e.currentToken == null ? null : e.currentToken.next;
        if (at == null) {
            return new SieveSyntaxError(0, 0, SieveSyntaxError.oneLine(e.getMessage()));
        }
        String found = at.kind == 0 ? "end of script" : "'" + at.image + "'";
        String reason = "unexpected " + found;
        if (e.expectedTokenSequences != null && e.expectedTokenSequences.length == 1
                && e.expectedTokenSequences[0].length == 1) {
            reason += ", expected " + e.tokenImage[e.expectedTokenSequences[0][0]].replace('"', '\'');
        } else if (e.expectedTokenSequences != null && expects(e, "\";\"")) {
            reason += " (missing ';'?)";
        }
        return new SieveSyntaxError(at.beginLine, at.beginColumn, reason);
    }

    private static boolean expects(ParseException e, String image) {
        for (int[] sequence : e.expectedTokenSequences) {
            if (sequence.length == 1 && image.equals(e.tokenImage[sequence[0]])) {
                return true;
            }
        }
        return false;
    }

    private static SieveSyntaxError lexicalError(TokenMgrError e) {
        Matcher m = LEXICAL_ERROR.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) {
            return new SieveSyntaxError(0, 0, SieveSyntaxError.oneLine(e.getMessage()));
        }
        int line = Integer.parseInt(m.group(1));
        String found = m.group(3).strip();
        if (found.equals("<EOF>") && m.group(4) != null) {
            // the token read so far, escaped by JavaCC: its line ends say where it started
            int started = line - (m.group(4).split("\\\\n", -1).length - 1);
            return new SieveSyntaxError(started, 0, "unclosed string or comment");
        }
        return new SieveSyntaxError(line, Integer.parseInt(m.group(2)), "unexpected character " + found);
    }

    /**
     * A script parsed and checked by {@link #compile}. Immutable: evaluation only reads it, so one
     * instance may be evaluated by many threads at once.
     */
    public static final class Compiled {
        private final SimpleNode start;
        private final List<String> requires;

        private Compiled(SimpleNode start, List<String> requires) {
            this.start = start;
            this.requires = requires;
        }

        /** The extensions the script requires, in the order it names them. */
        public List<String> requires() {
            return requires;
        }
    }

    private record Cached(FileTime modified, long size, Object fileKey, Compiled compiled, SieveSyntaxError error) {
        Cached(BasicFileAttributes a, Compiled compiled, SieveSyntaxError error) {
            this(a.lastModifiedTime(), a.size(), a.fileKey(), compiled, error);
        }

        boolean isOf(BasicFileAttributes a) {
            return modified.equals(a.lastModifiedTime()) && size == a.size() && Objects.equals(fileKey, a.fileKey());
        }

        Compiled result() throws SieveSyntaxError {
            if (error != null) {
                throw error;
            }
            return compiled;
        }
    }
}
