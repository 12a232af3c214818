package dev.mailroot.registry;

import java.io.PrintWriter;

/** A second registry process for the concurrency test: runs {@code registry add} {@code count} times. */
public final class AddManyMain {
    public static void main(String[] args) {
        String home = args[0];
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        for (int i = 0; i < count; i++) {
            int rc = Registry.execute(new String[]{"add", "OnSubmission", prefix + "-" + i, "com.example.Sink", "--force",
                    "--home", home}, out, err);
            if (rc != 0) {
                System.exit(rc);
            }
        }
    }
}
