package io.parley.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ResponseParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatableResponseImpl;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.net.URLDecoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * docs/openapi.yaml as a check on every call the tests make through {@link Api}: the description is
 * loaded once per JVM, each (method, path) is matched to its operation, the request is validated
 * (parameters and body) and the answer too (the status is declared, the content type is one the
 * status declares, the body fits its schema and has no field the schema does not name, declared
 * headers are present, a problem's `code` is named for that status). What differs is recorded, and
 * {@link ContractExtension} fails the test that made the call.
 *
 * <p>Requests the contract refuses (tests send bad JSON, wrong types, unknown paths and methods on
 * purpose) are fine as long as the server refuses them too, with a documented problem; a request the
 * contract refuses but the server accepts is a mismatch: one of the two is wrong.
 */
public final class OpenApiContract {

    public static final Path FILE = Path.of("docs/openapi.yaml");

    /** The server prefix of the REST API (the contract's `servers`). */
    private static final String API_PREFIX = "/api/v1";

    /**
     * Statuses the description's introduction allows on any path, besides the ones each operation
     * lists: 500 `internal`, 501 `method_not_implemented`, 503 `unavailable`, 504 `timeout`, 413
     * `too_large` (every body is limited) and 429 `too_many_connections` (the per-address cap).
     */
    private static final Map<Integer, Set<String>> ANY_PATH = Map.of(
            413, Set.of("too_large"),
            429, Set.of("too_many_connections"),
            500, Set.of("internal"),
            501, Set.of("method_not_implemented"),
            503, Set.of("unavailable"),
            504, Set.of("timeout"));

    private static volatile OpenApiContract instance;

    /** Where an operation is served: under /api/v1, at the root of the API port, or on the management listener. */
    enum Listener { API, ROOT, MANAGEMENT }

    private record Route(Listener listener, String method, String[] segments, String operationId, String template) {
    }

    private record Match(Route route, Map<String, String> pathParams) {
    }

    private final Vertx vertx;
    private final JsonObject raw;
    private final OpenAPIContract contract;
    private final RequestValidator requestValidator;
    private final ResponseValidator responseValidator;
    private final io.vertx.json.schema.Validator problemValidator;
    private final List<Route> routes = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
    /** operationId → statuses answered, since the last {@link #drainCalls()}. */
    private final Map<String, Set<Integer>> calls = new ConcurrentHashMap<>();

    private OpenApiContract() throws Exception {
        raw = readStrictYaml(FILE);
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setInternalBlockingPoolSize(1));
        contract = await(OpenAPIContract.from(vertx, forValidator(raw)));
        requestValidator = RequestValidator.create(vertx, contract);
        responseValidator = ResponseValidator.create(vertx, contract);
        problemValidator = contract.getSchemaRepository().validator(io.vertx.json.schema.JsonSchema.of(
                contract.getRawContract().getJsonObject("components").getJsonObject("schemas").getJsonObject("Problem")));
        JsonObject paths = raw.getJsonObject("paths");
        for (String template : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(template);
            Listener listener = listenerOf(item);
            for (String method : item.fieldNames()) {
                if (item.getValue(method) instanceof JsonObject op && op.containsKey("operationId")) {
                    routes.add(new Route(listener, method.toUpperCase(Locale.ROOT), template.substring(1).split("/"),
                            op.getString("operationId"), template));
                }
            }
        }
    }

    /** The contract, loaded on first use (once per JVM). */
    public static OpenApiContract get() {
        OpenApiContract c = instance;
        if (c == null) {
            synchronized (OpenApiContract.class) {
                c = instance;
                if (c == null) {
                    try {
                        c = new OpenApiContract();
                    } catch (Exception e) {
                        throw new AssertionError(FILE + " cannot be used as an OpenAPI contract: " + e.getMessage(), e);
                    }
                    instance = c;
                }
            }
        }
        return c;
    }

    /** Whether the contract was loaded in this JVM (no test called the API otherwise). */
    static boolean loaded() {
        return instance != null;
    }

    /** Every operationId of the description, sorted. */
    public Set<String> operationIds() {
        Set<String> ids = new TreeSet<>();
        routes.forEach(r -> ids.add(r.operationId()));
        return ids;
    }

    /** The operation's method and path as the description writes them, e.g. `GET /channels/{channelId}`. */
    public String describe(String operationId) {
        return routes.stream().filter(r -> r.operationId().equals(operationId)).findFirst()
                .map(r -> r.method() + " " + r.template()).orElse(operationId);
    }

    /** The mismatches recorded since the last call, oldest first. */
    List<String> drainMismatches() {
        List<String> out = new ArrayList<>();
        for (String m; (m = mismatches.poll()) != null; ) {
            out.add(m);
        }
        return out;
    }

    /** operationId → statuses seen since the last call. */
    Map<String, Set<Integer>> drainCalls() {
        Map<String, Set<Integer>> out = new TreeMap<>();
        for (String op : new ArrayList<>(calls.keySet())) {
            Set<Integer> statuses = calls.remove(op);
            if (statuses != null) {
                out.put(op, new TreeSet<>(statuses));
            }
        }
        return out;
    }

    /**
     * Checks one exchange of {@link Api#send}. {@code target} is the path and query as sent,
     * {@code management} whether it went to the management listener, {@code documentedLimits} whether
     * the node runs with the limits the description gives (else it may accept more).
     */
    void check(String method, String target, boolean management, boolean documentedLimits, boolean withToken, String payload,
               int status, HttpHeaders headers, String body) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = parseQuery(q < 0 ? "" : target.substring(q + 1));
        Listener listener = management ? Listener.MANAGEMENT : path.startsWith(API_PREFIX + "/") ? Listener.API : Listener.ROOT;
        String relative = listener == Listener.API ? path.substring(API_PREFIX.length()) : path;
        String contentType = headers.firstValue("Content-Type").orElse("");
        String call = method + " " + target + " → " + status;
        Match match = find(listener, method, relative);
        if (match == null) {
            checkUnrouted(call, listener, status, contentType, body);
            return;
        }
        String opId = match.route().operationId();
        calls.computeIfAbsent(opId, k -> ConcurrentHashMap.newKeySet()).add(status);
        String refused = requestProblem(match, query, withToken, payload);
        String where = opId + " (" + call + ")";
        if (refused != null && status < 400 && documentedLimits) {
            mismatches.add(where + ": the contract refuses this request (" + refused + ") but the server accepted it");
        }
        JsonObject op = raw.getJsonObject("paths").getJsonObject(match.route().template()).getJsonObject(method.toLowerCase(Locale.ROOT));
        JsonObject declared = resolve(op.getJsonObject("responses").getJsonObject(String.valueOf(status)));
        if (declared == null) {
            Set<String> codes = ANY_PATH.get(status);
            if (codes == null || (status == 413 && payload == null)) {
                mismatches.add(where + ": status " + status + " is not declared (declared: "
                        + String.join(", ", op.getJsonObject("responses").fieldNames()) + ")" + problemNote(body));
            } else {
                checkProblem(where, status, contentType, body, codes, "any path");
            }
            return;
        }
        checkResponse(where, opId, status, declared, headers, contentType, body);
    }

    private void checkUnrouted(String call, Listener listener, int status, String contentType, String body) {
        if (listener == Listener.ROOT && status < 400) {
            return; // the web client's static files, outside the description
        }
        String where = "no operation (" + call + ")";
        if (status == 404 || ANY_PATH.containsKey(status)) {
            checkProblem(where, status, contentType, body, status == 404 ? Set.of("not_found") : ANY_PATH.get(status),
                    "unknown paths and methods");
        } else {
            mismatches.add(where + ": a path or method the description does not list must get 404 `not_found` "
                    + "(or a status allowed on any path), got " + status + problemNote(body));
        }
    }

    /** Why the contract refuses this request, or null when it accepts it. */
    private String requestProblem(Match match, Map<String, String> query, boolean withToken, String payload) {
        Operation operation = contract.operation(match.route().operationId());
        if (!withToken && !operation.getSecurityRequirements().isEmpty()
                && operation.getSecurityRequirements().stream().noneMatch(s -> s.getNames().isEmpty())) {
            return "no access token";
        }
        Map<String, RequestParameter> path = new LinkedHashMap<>();
        match.pathParams().forEach((k, v) -> path.put(k, new RequestParameterImpl(v)));
        Map<String, RequestParameter> params = new LinkedHashMap<>();
        Set<String> known = new TreeSet<>();
        operation.getParameters().forEach(p -> known.add(p.getName()));
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (!known.contains(e.getKey())) {
                return "query parameter " + e.getKey() + " is not in the description";
            }
            params.put(e.getKey(), new RequestParameterImpl(e.getValue()));
        }
        RequestParameter requestBody = new RequestParameterImpl(payload == null ? null : Buffer.buffer(payload));
        ValidatableRequestImpl request = new ValidatableRequestImpl(Map.of(), Map.of(), path, params, requestBody,
                payload == null ? null : "application/json");
        try {
            await(requestValidator.validate(request, operation.getOperationId()));
            return null;
        } catch (Exception e) {
            return message(e);
        }
    }

    private void checkResponse(String where, String opId, int status, JsonObject declared, HttpHeaders headers,
                               String contentType, String body) {
        JsonObject content = declared.getJsonObject("content");
        String mediaType = null;
        if (content != null) {
            for (String key : content.fieldNames()) {
                if (normalize(key).equals(normalize(contentType))) {
                    mediaType = key;
                }
            }
            if (mediaType == null) {
                mismatches.add(where + ": Content-Type \"" + contentType + "\" is not declared for " + status
                        + " (declared: " + String.join(", ", content.fieldNames()) + ")");
                return;
            }
        } else if (body != null && !body.isEmpty()) {
            mismatches.add(where + ": " + status + " declares no body, but one came (" + contentType + ")");
            return;
        }
        // header names as declared (Retry-After), whatever their case on the wire
        Map<String, ResponseParameter> answerHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.map().forEach((k, v) -> answerHeaders.put(k, new RequestParameterImpl(v.get(0))));
        ValidatableResponseImpl response = new ValidatableResponseImpl(status, answerHeaders,
                new RequestParameterImpl(body == null || body.isEmpty() ? null : Buffer.buffer(body)),
                mediaType == null ? null : alias(mediaType));
        try {
            await(responseValidator.validate(response, opId));
        } catch (Exception e) {
            mismatches.add(where + ": the answer does not fit the description: " + message(e) + problemNote(body));
            return;
        }
        if (mediaType == null || !mediaType.endsWith("json")) {
            return;
        }
        Object json = io.vertx.core.json.Json.decodeValue(body);
        List<String> extra = new ArrayList<>();
        undocumented(content.getJsonObject(mediaType).getJsonObject("schema"), json, "", extra);
        if (!extra.isEmpty()) {
            mismatches.add(where + ": fields the schema does not name: " + String.join(", ", extra));
        }
        if (mediaType.equals("application/problem+json") && json instanceof JsonObject problem) {
            String code = problem.getString("code");
            String description = declared.getString("description", "");
            Set<String> global = ANY_PATH.getOrDefault(status, Set.of());
            if (!description.contains("`" + code + "`") && !global.contains(code)) {
                mismatches.add(where + ": problem code `" + code + "` is not named in the description of " + status
                        + " (\"" + abbreviate(description) + "\")");
            }
            if (problem.getInteger("status", -1) != status) {
                mismatches.add(where + ": the problem's status " + problem.getValue("status") + " is not the HTTP status");
            }
        }
    }

    /** A problem answer allowed by the description's general rules: problem+json, Problem schema, one of {@code codes}. */
    private void checkProblem(String where, int status, String contentType, String body, Set<String> codes, String rule) {
        if (!normalize(contentType).equals("application/problem+json")) {
            mismatches.add(where + ": " + status + " (" + rule + ") must be application/problem+json, got \"" + contentType + "\"");
            return;
        }
        Object json;
        try {
            json = io.vertx.core.json.Json.decodeValue(body);
        } catch (RuntimeException e) {
            mismatches.add(where + ": the problem is not JSON: " + abbreviate(body));
            return;
        }
        OutputUnit result = problemValidator.validate(json);
        if (!Boolean.TRUE.equals(result.getValid())) {
            mismatches.add(where + ": the problem does not fit the Problem schema: " + result.getErrors());
            return;
        }
        String code = ((JsonObject) json).getString("code");
        if (!codes.contains(code)) {
            mismatches.add(where + ": " + status + " with code `" + code + "`; for " + rule + " the description allows " + codes);
        }
    }

    /** Adds to {@code out} the object fields of {@code value} that {@code schema} does not name. */
    private void undocumented(JsonObject schema, Object value, String at, List<String> out) {
        schema = resolve(schema);
        if (schema == null || value == null) {
            return;
        }
        if (value instanceof JsonObject object) {
            Map<String, JsonObject> properties = new LinkedHashMap<>();
            JsonObject[] additional = new JsonObject[1];
            boolean[] open = new boolean[1];
            collect(schema, properties, additional, open);
            for (String key : object.fieldNames()) {
                JsonObject sub = properties.get(key);
                if (sub != null) {
                    undocumented(sub, object.getValue(key), at + "/" + key, out);
                } else if (additional[0] != null) {
                    undocumented(additional[0], object.getValue(key), at + "/" + key, out);
                } else if (!open[0]) {
                    out.add(at + "/" + key);
                }
            }
        } else if (value instanceof JsonArray array && schema.getJsonObject("items") != null) {
            for (int i = 0; i < array.size(); i++) {
                undocumented(schema.getJsonObject("items"), array.getValue(i), at + "/" + i, out);
            }
        }
    }

    private void collect(JsonObject schema, Map<String, JsonObject> properties, JsonObject[] additional, boolean[] open) {
        schema = resolve(schema);
        JsonObject props = schema.getJsonObject("properties");
        if (props != null) {
            props.fieldNames().forEach(k -> properties.putIfAbsent(k, props.getJsonObject(k)));
        }
        Object more = schema.getValue("additionalProperties");
        if (more instanceof JsonObject m) {
            additional[0] = m;
        } else if (Boolean.TRUE.equals(more)) {
            open[0] = true;
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            JsonArray parts = schema.getJsonArray(combinator);
            if (parts != null) {
                parts.forEach(p -> collect((JsonObject) p, properties, additional, open));
            }
        }
    }

    /** Follows a local `$ref` of the description. */
    private JsonObject resolve(JsonObject node) {
        while (node != null && node.containsKey("$ref")) {
            String ref = node.getString("$ref");
            JsonObject target = raw;
            for (String part : ref.substring(2).split("/")) {
                target = target.getJsonObject(part);
            }
            node = target;
        }
        return node;
    }

    private Match find(Listener listener, String method, String path) {
        String[] segments = path.substring(1).split("/", -1);
        Match best = null;
        int bestLiterals = -1;
        for (Route route : routes) {
            if (route.listener() != listener || !route.method().equals(method) || route.segments().length != segments.length) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            int literals = 0;
            boolean ok = true;
            for (int i = 0; i < segments.length && ok; i++) {
                String t = route.segments()[i];
                if (t.startsWith("{") && t.endsWith("}")) {
                    params.put(t.substring(1, t.length() - 1), URLDecoder.decode(segments[i], StandardCharsets.UTF_8));
                    ok = !segments[i].isEmpty();
                } else {
                    ok = t.equals(segments[i]);
                    literals++;
                }
            }
            if (ok && literals > bestLiterals) {
                best = new Match(route, params);
                bestLiterals = literals;
            }
        }
        return best;
    }

    private static Listener listenerOf(JsonObject pathItem) {
        JsonArray servers = pathItem.getJsonArray("servers");
        if (servers == null || servers.isEmpty()) {
            return Listener.API;
        }
        return servers.getJsonObject(0).getString("url").contains("://") ? Listener.MANAGEMENT : Listener.ROOT;
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(key, value);
        }
        return out;
    }

    /**
     * The description as vertx-openapi can check it. Two things of OpenAPI 3.0 it does not handle are
     * rewritten in this copy only: `nullable: true` (its schema validator knows JSON Schema draft 4,
     * which has no `nullable`) becomes "this schema or null"; media types with a `+json` suffix or
     * parameters (`application/problem+json`, the Prometheus `text/plain; version=0.0.4; ...`) get a
     * name it supports, and {@link #check} matches the real Content-Type against the real names first;
     * text bodies are declared as bytes (it cannot check a text body against a string schema).
     * `servers` are left out: the operations are found here ({@link #find}), by listener and path, and
     * vertx-openapi wants absolute server URLs where the description has `/api/v1` and `/`.
     */
    private static JsonObject forValidator(JsonObject contract) {
        return (JsonObject) rewrite(contract.copy(), null);
    }

    private static Object rewrite(Object node, String parentKey) {
        if (node instanceof JsonObject object) {
            JsonObject out = new JsonObject();
            for (String key : object.fieldNames()) {
                if ("servers".equals(key)) {
                    continue; // the path matching is done here (find); vertx-openapi wants absolute server URLs
                }
                Object value = rewrite(object.getValue(key), key);
                String name = "content".equals(parentKey) ? alias(key) : key;
                if ("text/plain".equals(name) && value instanceof JsonObject media) {
                    // a text body is not parsed: vertx-openapi checks it only when it is declared as bytes
                    media.put("schema", new JsonObject().put("type", "string").put("format", "binary"));
                }
                out.put(name, value);
            }
            if (Boolean.TRUE.equals(out.remove("nullable"))) {
                JsonObject either = new JsonObject().put("anyOf", new JsonArray().add(out).add(new JsonObject().put("enum", new JsonArray().addNull())));
                return either;
            }
            return out;
        }
        if (node instanceof JsonArray array) {
            JsonArray out = new JsonArray();
            array.forEach(v -> out.add(rewrite(v, null)));
            return out;
        }
        return node;
    }

    /** The name under which vertx-openapi knows a media type of the description. */
    private static String alias(String mediaType) {
        String m = normalize(mediaType);
        if (m.startsWith("text/plain")) {
            return "text/plain";
        }
        if (m.endsWith("+json") && !m.contains("/vnd.")) {
            return "application/vnd.parley." + m.substring(m.indexOf('/') + 1);
        }
        return mediaType;
    }

    private static String normalize(String mediaType) {
        return mediaType.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    }

    /** Reads YAML refusing duplicate keys (YAML readers otherwise keep the last one silently). */
    private static JsonObject readStrictYaml(Path file) throws Exception {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Map<String, Object> tree = new Yaml(options).load(Files.readString(file));
        return new JsonObject(io.vertx.core.json.Json.encode(stringKeys(tree)));
    }

    @SuppressWarnings("unchecked")
    private static Object stringKeys(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), stringKeys(v)));
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(stringKeys(v)));
            return out;
        }
        if (node instanceof java.util.Date date) {
            return date.toInstant().toString();
        }
        return node;
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String problemNote(String body) {
        if (body == null || !body.startsWith("{")) {
            return "";
        }
        try {
            return "; answer: " + abbreviate(new JsonObject(body).encode());
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
