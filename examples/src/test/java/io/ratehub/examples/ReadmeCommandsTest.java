package io.ratehub.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * README.md's commands, as far as they can be checked without starting Maven from a test: the executions they name
 * exist and take no arguments from the module's {@code exec.args}, and every subcommand README lists answers
 * {@code --help}. scripts/readme-commands.sh (run by CI after {@code mvn -B verify}) runs the commands themselves.
 */
class ReadmeCommandsTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private Stdio stdio;

    @BeforeEach
    void capture() {
        stdio = new Stdio();
    }

    @AfterEach
    void restore() {
        stdio.close();
    }

    private static String readme() throws Exception {
        return Files.readString(REPO.resolve("README.md"));
    }

    /**
     * exec:exec reads the {@code exec.args} property (set in examples/pom.xml: the demo's default subcommand) as its
     * {@code commandlineArgs}, which replace an execution's {@code arguments}: "Could not find or load main class hub".
     * An execution README runs must therefore give its own {@code commandlineArgs}.
     */
    @Test
    void everyExecutionReadmeRunsExistsAndKeepsItsOwnArguments() throws Exception {
        Matcher m = Pattern.compile("exec:exec@([\\w-]+)").matcher(readme());
        Set<String> ids = new LinkedHashSet<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertThat(ids).contains("core-bench", "bench");
        NodeList executions = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(REPO.resolve("examples/pom.xml").toFile()).getElementsByTagName("execution");
        List<String> found = new ArrayList<>();
        for (int i = 0; i < executions.getLength(); i++) {
            Element e = (Element) executions.item(i);
            String id = e.getElementsByTagName("id").item(0).getTextContent().trim();
            if (ids.contains(id)) {
                found.add(id);
                assertThat(e.getElementsByTagName("commandlineArgs").getLength())
                        .as("execution %s must set commandlineArgs (exec.args would replace its arguments)", id)
                        .isEqualTo(1);
                assertThat(e.getElementsByTagName("arguments").getLength()).as("execution %s", id).isZero();
            }
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void everySubcommandReadmeListsAnswersHelp() throws Exception {
        String readme = readme();
        int table = readme.indexOf("| subcommand | what it does |");
        assertThat(table).as("README's subcommand table").isNotNegative();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z-]+)[ `]")
                .matcher(readme.substring(table, readme.indexOf("\n\n", table)));
        Set<String> subcommands = new LinkedHashSet<>();
        while (m.find()) {
            subcommands.add(m.group(1));
        }
        assertThat(subcommands).contains("calculator", "dashboard", "tail", "audit", "engine-demo", "hub");
        subcommands.add("bench");
        for (String sub : subcommands) {
            assertThat(RateHubCli.run(sub, "--help")).as(sub).isZero();
            assertThat(stdio.out()).as(sub).contains("Usage: ratehub " + sub);
        }
    }
}
