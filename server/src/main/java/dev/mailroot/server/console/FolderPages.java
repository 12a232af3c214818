package dev.mailroot.server.console;

/** Badmail, poison and quarantine pages (list, show, resubmit, delete). */
final class FolderPages {
    private FolderPages() {
    }

    static Console.Answer get(ConsoleServices s, Console.Request r, String folder, String subnav) {
        return new Console.Page(folder, "folders", subnav);
    }

    static Console.Answer post(ConsoleServices s, Console.Request r, String folder) {
        return new Console.Text(404, "404\n");
    }
}
