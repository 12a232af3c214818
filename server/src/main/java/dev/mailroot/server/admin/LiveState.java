package dev.mailroot.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.Binding;
import dev.mailroot.bindings.BindingStatus;
import dev.mailroot.server.dispatch.BindingChain;
import dev.mailroot.server.plugins.PluginHost;

import java.io.UncheckedIOException;

/**
 * What the running server knows of its bindings and plugins, for {@code registry enum} and
 * {@code registry sinks} ({@code GET /bindings}, {@code GET /plugins}): whether each binding's sink
 * is loaded now, not whether a jar in a folder could provide it.
 *
 * @param chain   the bindings in force and the sinks the plugins provide; null without plugins
 * @param plugins the plugin host; null without plugins
 */
public record LiveState(BindingChain chain, PluginHost plugins) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * {@code {"bindings":[{"id","name","enabled","status"}...]}}: each binding in force, with its
     * status in the words of {@link BindingStatus}.
     */
    public String bindingsJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("bindings");
        if (chain != null) {
            for (Binding b : chain.bindings().bindings()) {
                list.addObject().put("id", b.id()).put("name", b.name()).put("enabled", b.enabled())
                        .put("status", BindingStatus.of(b, chain.provided(b)));
            }
        }
        return write(root);
    }

    /**
     * {@code {"jars":[{"path","folder","pluginId","version","state","detail"}...]}}: every jar in the
     * plugin folders and what the host made of it at its last look.
     */
    public String pluginsJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("jars");
        if (plugins != null) {
            for (PluginHost.JarState j : plugins.jars()) {
                list.addObject().put("path", j.jar().toString()).put("folder", j.folder()).put("pluginId", j.pluginId())
                        .put("version", j.version()).put("state", j.state()).put("detail", j.detail());
            }
        }
        return write(root);
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
