package io.parley.edge;

import java.net.URI;
import java.util.List;

/**
 * Which page origins may act for a signed-in browser: the WebSocket upgrade and the web client's session
 * cookie (docs/decisions.md) use the same rule.
 */
public final class Origins {

    private Origins() {
    }

    /**
     * Browsers always send Origin; other clients usually do not, and are let through (Origin protects
     * browsers' cookies and tokens from other sites, it does not authenticate). Allowed: the origins in
     * {@code allowed}, "*" there for any, and the origin of the node itself (same host and port as
     * {@code host}, the Host header).
     */
    public static boolean allowed(String origin, String host, List<String> allowed) {
        if (origin == null) {
            return true;
        }
        if (allowed.contains("*") || allowed.contains(origin)) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null || host == null) {
                return false;
            }
            int originPort = uri.getPort() != -1 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
            int colon = host.lastIndexOf(':');
            boolean hostHasPort = colon > host.lastIndexOf(']');
            String hostName = hostHasPort ? host.substring(0, colon) : host;
            // Without a port in Host the client used the default port of its scheme: the origin must too.
            boolean portMatches = hostHasPort ? host.substring(colon + 1).equals(String.valueOf(originPort)) : uri.getPort() == -1;
            return hostName.equalsIgnoreCase(uri.getHost()) && portMatches;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
