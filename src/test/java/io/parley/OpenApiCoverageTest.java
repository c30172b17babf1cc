package io.parley;

import io.parley.support.ContractExtension;
import io.parley.support.OpenApiContract;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation of docs/openapi.yaml is called by some test, so every operation's requests and
 * answers are checked against it (io.parley.support.OpenApiContract). Counts the calls the test
 * classes recorded in target/openapi-calls/ (this class runs last, see CoverageLast); when a class that
 * calls the API has not run in this build, the count would be wrong, and the test is skipped.
 */
class OpenApiCoverageTest {

    private static final Path TEST_CLASSES = Path.of("target", "test-classes");

    @Test
    @DisplayName("every operation of the OpenAPI description is called by a test")
    void everyOperationIsCalled() throws IOException {
        Set<String> callers = apiCallers();
        Set<String> notRun = callers.stream()
                .filter(c -> !Files.exists(ContractExtension.CALLS.resolve(c + ".txt")))
                .collect(Collectors.toCollection(TreeSet::new));
        Assumptions.assumeTrue(notRun.isEmpty(), () -> "the coverage of docs/openapi.yaml needs every test class "
                + "that calls the API to have run in this build; not run: " + notRun);
        Map<String, Set<String>> statuses = new TreeMap<>();
        for (String caller : callers) {
            for (String line : Files.readAllLines(ContractExtension.CALLS.resolve(caller + ".txt"))) {
                String[] parts = line.trim().split(" ");
                if (!parts[0].isEmpty()) {
                    Set<String> seen = statuses.computeIfAbsent(parts[0], k -> new TreeSet<>());
                    seen.addAll(java.util.Arrays.asList(parts).subList(1, parts.length));
                }
            }
        }
        OpenApiContract contract = OpenApiContract.get();
        StringBuilder report = new StringBuilder("operations of docs/openapi.yaml and the statuses the tests got:\n");
        Set<String> uncalled = new TreeSet<>();
        for (String op : contract.operationIds()) {
            Set<String> seen = statuses.get(op);
            if (seen == null) {
                uncalled.add(op + " (" + contract.describe(op) + ")");
            }
            report.append(String.format("  %-16s %-45s %s%n", op, contract.describe(op), seen == null ? "NOT CALLED" : seen));
        }
        System.out.print(report);
        assertThat(uncalled).as("operations of docs/openapi.yaml no test calls (add a call to a test of that area)").isEmpty();
    }

    /** The test classes (top-level, run by surefire) whose bytecode uses io.parley.support.Api. */
    private static Set<String> apiCallers() throws IOException {
        byte[] needle = "io/parley/support/Api".getBytes(StandardCharsets.UTF_8);
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(TEST_CLASSES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = TEST_CLASSES.relativize(file).toString().replace('/', '.').replace(".class", "");
                String topLevel = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
                String simple = topLevel.substring(topLevel.lastIndexOf('.') + 1);
                boolean surefire = simple.endsWith("Test") || simple.endsWith("Tests") || simple.endsWith("TestCase");
                if (surefire && !topLevel.startsWith("io.parley.support.") && !topLevel.equals(OpenApiCoverageTest.class.getName())
                        && contains(Files.readAllBytes(file), needle)) {
                    out.add(topLevel);
                }
            }
        }
        return out;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
