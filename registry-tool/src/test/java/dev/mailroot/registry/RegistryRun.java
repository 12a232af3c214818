package dev.mailroot.registry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/**
 * One run of the registry tool in the test's JVM with {@code --home}, as the in-process tests drive
 * it (the real launcher is {@code RegistryIT}'s): its exit code, stdout and stderr.
 *
 * @param exit the exit code
 * @param out  what it printed on stdout
 * @param err  what it printed on stderr
 */
record RegistryRun(int exit, String out, String err) {

    static RegistryRun in(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--home";
        all[args.length + 1] = home.toString();
        int exit = Registry.execute(all, new PrintWriter(out), new PrintWriter(err));
        return new RegistryRun(exit, out.toString(), err.toString());
    }
}
