package dev.mailroot.kit;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/writing-a-sink.md cannot rot: each code block it marks {@code <!-- file: PATH -->} is that
 * file of the checkout, byte for byte, and every file of the example project is shown. The example
 * itself is built and run by {@link ExamplePluginIT}. The plugin parent's own settings that repeat
 * the build's are checked to be the same.
 */
class WritingASinkDocTest {
    private static final Path REPO = Path.of(System.getProperty("mailroot.repo", "../..")).toAbsolutePath().normalize();
    private static final Path DOC = REPO.resolve("docs/writing-a-sink.md");
    private static final Path EXAMPLE = REPO.resolve("docs/examples/tag-sink");
    private static final String VERSION = System.getProperty("mailroot.version", "1.0.0-SNAPSHOT");
    private static final Pattern MARKER = Pattern.compile("<!-- file: (\\S+) -->\\n```[a-z]*\\n(.*?)^```$",
            Pattern.DOTALL | Pattern.MULTILINE);

    /** The file path of each marked block, and the block's text. */
    private static Map<String, String> markedBlocks() throws Exception {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = MARKER.matcher(Files.readString(DOC));
        while (m.find()) {
            assertThat(blocks.put(m.group(1), m.group(2))).as("%s is shown twice", m.group(1)).isNull();
        }
        return blocks;
    }

    @Test
    void everyMarkedCodeBlockIsTheFileItNames() throws Exception {
        Map<String, String> blocks = markedBlocks();
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(6);
        for (Map.Entry<String, String> b : blocks.entrySet()) {
            Path file = REPO.resolve(b.getKey());
            assertThat(file).as("the doc shows %s", b.getKey()).isRegularFile();
            assertThat(b.getValue()).as("the doc's copy of %s", b.getKey()).isEqualTo(Files.readString(file));
        }
    }

    @Test
    void everyFileOfTheExampleProjectIsShown() throws Exception {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(EXAMPLE)) {
            s.filter(Files::isRegularFile).filter(p -> !EXAMPLE.relativize(p).startsWith("target"))
                    .forEach(p -> files.add(REPO.relativize(p).toString()));
        }
        assertThat(files).isNotEmpty();
        assertThat(markedBlocks().keySet()).containsAll(files);
    }

    @Test
    void thePluginParentBelongsToThisVersionAndRequiresItsMajorVersion() throws Exception {
        Element parent = pom(REPO.resolve("sinks/plugin-parent/pom.xml"));
        Map<String, String> p = properties(parent);
        assertThat(child(parent, "version")).isEqualTo(VERSION);
        assertThat(p.get("mailroot.version")).isEqualTo(VERSION);
        String base = VERSION.replaceAll("[-+].*", "");
        int major = Integer.parseInt(base.substring(0, base.indexOf('.')));
        assertThat(p.get("mailroot.requires")).isEqualTo(">=" + base + " & <" + (major + 1) + ".0.0");
        assertThat(Files.readString(EXAMPLE.resolve("pom.xml"))).contains("<version>" + VERSION + "</version>");
    }

    @Test
    void thePluginParentPinsTheSameBuildPluginsAsTheBuild() throws Exception {
        // the nested offline build of the example resolves only what the outer build resolved
        Map<String, String> root = properties(pom(REPO.resolve("pom.xml")));
        Map<String, String> parent = properties(pom(REPO.resolve("sinks/plugin-parent/pom.xml")));
        int pinned = 0;
        for (Map.Entry<String, String> e : parent.entrySet()) {
            if (e.getKey().startsWith("mailroot.") && e.getKey().endsWith(".version") && !e.getKey().equals("mailroot.version")) {
                String same = e.getKey().substring("mailroot.".length());
                assertThat(root).as("the build's %s", same).containsEntry(same, e.getValue());
                pinned++;
            }
        }
        assertThat(pinned).isGreaterThanOrEqualTo(4);
        assertThat(parent.get("maven.compiler.release")).isEqualTo(root.get("maven.compiler.release"));
    }

    private static Element pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    private static String child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c.getTextContent().strip();
            }
        }
        return null;
    }

    private static Map<String, String> properties(Element project) {
        Map<String, String> out = new LinkedHashMap<>();
        NodeList list = project.getElementsByTagName("properties");
        Element props = (Element) list.item(0);
        for (Node n = props.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.put(c.getTagName(), c.getTextContent().strip());
            }
        }
        return out;
    }
}
