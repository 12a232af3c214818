package dev.mailroot.server.sieve;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.jsieve.Arguments;
import org.apache.jsieve.BaseSieveContext;
import org.apache.jsieve.Block;
import org.apache.jsieve.CommandManager;
import org.apache.jsieve.Commands;
import org.apache.jsieve.ComparatorManager;
import org.apache.jsieve.ScriptCoordinate;
import org.apache.jsieve.SieveContext;
import org.apache.jsieve.SieveParserVisitorImpl;
import org.apache.jsieve.StringListArgument;
import org.apache.jsieve.TestManager;
import org.apache.jsieve.commands.AbstractCommand;
import org.apache.jsieve.exception.LookupException;
import org.apache.jsieve.exception.SieveException;
import org.apache.jsieve.parser.generated.ASTarguments;
import org.apache.jsieve.parser.generated.ASTblock;
import org.apache.jsieve.parser.generated.ASTcommand;
import org.apache.jsieve.parser.generated.ASTstring;
import org.apache.jsieve.parser.generated.ASTtest;
import org.apache.jsieve.parser.generated.Node;
import org.apache.jsieve.parser.generated.SimpleNode;

/**
 * The checks a script passes before it is accepted, each reporting the line it concerns. jSieve
 * itself checks only the grammar when it parses: an unknown command is reported without a line,
 * an extension used without {@code require} is not reported at all, and a command's arguments
 * are only looked at when the command runs. This walks the parsed tree once to do all of that at
 * compile time. One per compilation.
 */
final class ScriptCheck {

    /** The extensions a script may {@code require}: jSieve's, less those Mailroot does not act on. */
    static final Set<String> EXTENSIONS = Set.of("fileinto", "envelope", "vacation",
            "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric");

    private static final Set<String> EXTENSION_COMMANDS = Set.of("fileinto", "vacation");
    private static final Set<String> EXTENSION_TESTS = Set.of("envelope");
    private static final Set<String> BASE_COMMANDS =
            Set.of("if", "elsif", "else", "require", "stop", "keep", "discard", "redirect");
    private static final Set<String> BASE_TESTS =
            Set.of("address", "allof", "anyof", "exists", "false", "header", "not", "size", "true");

    private final CommandManager commands;
    private final TestManager tests;
    private final SieveContext context;
    private final SieveParserVisitorImpl builder;
    private final JsieveMail emptyMail = new JsieveMail(new EmptyMail());
    private final Set<String> required = new HashSet<>();
    private final List<String> requiredInOrder = new ArrayList<>();
    private boolean requireAllowed = true;

    ScriptCheck(CommandManager commands, ComparatorManager comparators, TestManager tests) {
        this.commands = commands;
        this.tests = tests;
        this.context = new BaseSieveContext(commands, comparators, tests);
        this.builder = new SieveParserVisitorImpl(context);
    }

    /** Checks the whole script; returns the extensions it requires, in order. */
    List<String> check(SimpleNode start) throws SieveSyntaxError {
        for (int i = 0; i < start.jjtGetNumChildren(); i++) {
            commands((SimpleNode) start.jjtGetChild(i), true);
        }
        return List.copyOf(requiredInOrder);
    }

    private void commands(SimpleNode commandsNode, boolean topLevel) throws SieveSyntaxError {
        String previous = "";
        for (int i = 0; i < commandsNode.jjtGetNumChildren(); i++) {
            ASTcommand node = (ASTcommand) commandsNode.jjtGetChild(i);
            String name = node.getName().toLowerCase(Locale.ROOT);
            if ((name.equals("elsif") || name.equals("else")) && !previous.equals("if") && !previous.equals("elsif")) {
                throw error(node, "'" + name + "' must follow 'if' or 'elsif'");
            }
            command(node, topLevel);
            previous = name;
        }
    }

    private void command(ASTcommand node, boolean topLevel) throws SieveSyntaxError {
        String name = node.getName().toLowerCase(Locale.ROOT);
        if (name.equals("require")) {
            if (!topLevel || !requireAllowed) {
                throw error(node, "'require' must come before every other command");
            }
            requirements(node);
        } else {
            requireAllowed = false;
            if (!BASE_COMMANDS.contains(name) && !EXTENSION_COMMANDS.contains(name)) {
                throw error(node, commands.isCommandSupported(name)
                        ? "command '" + node.getName() + "' is not supported here"
                        : "unknown command '" + node.getName() + "'");
            }
            if (EXTENSION_COMMANDS.contains(name) && !required.contains(name)) {
                throw error(node, "'" + name + "' used without require \"" + name + "\"");
            }
        }
        ASTarguments arguments = null;
        ASTblock block = null;
        for (int i = 0; i < node.jjtGetNumChildren(); i++) {
            Node child = node.jjtGetChild(i);
            if (child instanceof ASTarguments a) {
                arguments = a;
            } else if (child instanceof ASTblock b) {
                block = b;
            }
        }
        if (arguments != null) {
            testsIn(arguments);
        }
        validate(node, name, arguments, block);
        if (block != null && block.jjtGetNumChildren() > 0) {
            commands((SimpleNode) block.jjtGetChild(0), false);
        }
    }

    private void requirements(ASTcommand node) throws SieveSyntaxError {
        List<ASTstring> strings = new ArrayList<>();
        collect(node, ASTstring.class, strings);
        for (ASTstring s : strings) {
            String extension = String.valueOf(s.getValue());
            String key = extension.toLowerCase(Locale.ROOT);
            if (!EXTENSIONS.contains(key)) {
                throw error(s, "unsupported extension '" + extension + "'");
            }
            if (required.add(key)) {
                requiredInOrder.add(key);
            }
        }
    }

    private void testsIn(SimpleNode node) throws SieveSyntaxError {
        for (int i = 0; i < node.jjtGetNumChildren(); i++) {
            Node child = node.jjtGetChild(i);
            if (child instanceof ASTtest t) {
                test(t);
            } else if (!(child instanceof ASTblock)) {
                testsIn((SimpleNode) child);
            }
        }
    }

    private void test(ASTtest node) throws SieveSyntaxError {
        String name = node.getName().toLowerCase(Locale.ROOT);
        if (BASE_COMMANDS.contains(name) || EXTENSION_COMMANDS.contains(name)) {
            throw error(node, "unexpected command '" + node.getName() + "' (missing ';' before it?)");
        }
        if (!BASE_TESTS.contains(name) && !EXTENSION_TESTS.contains(name)) {
            throw error(node, isTest(name)
                    ? "test '" + node.getName() + "' is not supported here"
                    : "unknown test '" + node.getName() + "'");
        }
        if (EXTENSION_TESTS.contains(name) && !required.contains(name)) {
            throw error(node, "'" + name + "' used without require \"" + name + "\"");
        }
        testsIn(node);
        // A test has no side effect: running it once against an empty message checks its
        // arguments (tags, comparator, key lists) the way jSieve will when it runs for real.
        try {
            context.setCoordinate(node.getCoordinate());
            tests.getTest(name).execute(emptyMail, arguments(node), context);
        } catch (SieveException e) {
            throw error(node, e);
        }
    }

    /** A command's own checks of its arguments and block, which jSieve runs only when the command runs. */
    private void validate(ASTcommand node, String name, ASTarguments arguments, ASTblock block)
            throws SieveSyntaxError {
        try {
            context.setCoordinate(node.getCoordinate());
            if (commands.getCommand(name) instanceof AbstractCommand command) {
                Arguments args = arguments == null ? new Arguments(List.of(), null) : build(arguments);
                Block emptyBlock = block == null ? null : new Block(new Commands(List.of()));
                invoke(command, "validateArguments", Arguments.class, args);
                invoke(command, "validateBlock", Block.class, emptyBlock);
                target(node, name, args);
            }
        } catch (SieveException e) {
            throw error(node, e);
        }
    }

    /** The address of a redirect and the folder of a fileinto are constants: checked here, not at delivery. */
    private static void target(ASTcommand node, String name, Arguments args) throws SieveSyntaxError {
        if (!name.equals("redirect") && !name.equals("fileinto")) {
            return;
        }
        if (!(args.getArgumentList().get(0) instanceof StringListArgument list) || list.getList().size() != 1) {
            return;
        }
        String value = list.getList().get(0);
        if (name.equals("redirect") && !Actions.isAddress(value.strip())) {
            throw error(node, "redirect to '" + value + "': not an address (local@domain, no name or brackets)");
        }
        if (name.equals("fileinto")) {
            try {
                MaildirFolders.directoryName(value);
            } catch (IllegalArgumentException e) {
                throw error(node, "fileinto '" + value + "': " + e.getMessage());
            }
        }
    }

    private void invoke(AbstractCommand command, String method, Class<?> type, Object argument)
            throws SieveException {
        Method m;
        try {
            m = AbstractCommand.class.getDeclaredMethod(method, type, SieveContext.class);
            m.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return; // a jSieve without these hooks: its run-time checks remain
        }
        try {
            m.invoke(command, argument, context);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SieveException se) {
                throw se;
            }
            throw new SieveException(String.valueOf(e.getCause()));
        } catch (IllegalAccessException e) {
            // as above
        }
    }

    private Arguments arguments(SimpleNode node) throws SieveException {
        for (int i = 0; i < node.jjtGetNumChildren(); i++) {
            if (node.jjtGetChild(i) instanceof ASTarguments a) {
                return build(a);
            }
        }
        return new Arguments(List.of(), null);
    }

    private Arguments build(ASTarguments node) throws SieveException {
        List<Object> out = new ArrayList<>();
        builder.visit(node, out);
        return (Arguments) out.get(0);
    }

    private boolean isTest(String name) {
        try {
            tests.getTest(name);
            return true;
        } catch (LookupException e) {
            return false;
        }
    }

    private static <T> void collect(Node node, Class<T> type, List<T> out) {
        for (int i = 0; i < node.jjtGetNumChildren(); i++) {
            Node child = node.jjtGetChild(i);
            if (type.isInstance(child)) {
                out.add(type.cast(child));
            }
            collect(child, type, out);
        }
    }

    private static SieveSyntaxError error(SimpleNode node, String reason) {
        ScriptCoordinate at = node.getCoordinate();
        return new SieveSyntaxError(at.getStartLineNumber(), at.getStartColumnNumber(), reason);
    }

    private static SieveSyntaxError error(SimpleNode node, SieveException e) {
        ErrorPosition p = ErrorPosition.of(e);
        if (p.line() > 0) {
            return new SieveSyntaxError(p.line(), p.column(), p.reason());
        }
        return error(node, p.reason());
    }
}
