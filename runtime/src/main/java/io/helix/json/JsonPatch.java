package io.helix.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 6902 JSON Patch, as far as custom state needs it: {@link #diff} produces {@code add},
 * {@code remove} and {@code replace} operations (arrays that differ are replaced whole), and
 * {@link #apply} applies those three.
 */
public final class JsonPatch {

  private JsonPatch() {}

  /** The operations that turn {@code from} into {@code to}; empty when they are equal. */
  public static ArrayNode diff(JsonNode from, JsonNode to) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    diff("", from, to, ops);
    return ops;
  }

  private static void diff(String path, JsonNode from, JsonNode to, ArrayNode ops) {
    if (from.equals(to)) {
      return;
    }
    if (from.isObject() && to.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path + "/" + escape(field.getKey());
        if (!to.has(field.getKey())) {
          ops.addObject().put("op", "remove").put("path", child);
        } else {
          diff(child, field.getValue(), to.get(field.getKey()), ops);
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!from.has(field.getKey())) {
          ops.addObject()
              .put("op", "add")
              .put("path", path + "/" + escape(field.getKey()))
              .set("value", field.getValue().deepCopy());
        }
      }
      return;
    }
    ops.addObject().put("op", "replace").put("path", path).set("value", to.deepCopy());
  }

  /** A copy of {@code document} with the operations applied. */
  public static JsonNode apply(JsonNode document, JsonNode patch) {
    JsonNode result = document.deepCopy();
    for (JsonNode op : patch) {
      String path = op.path("path").asText();
      String kind = op.path("op").asText();
      if (path.isEmpty()) {
        if (kind.equals("remove")) {
          result = JsonNodeFactory.instance.nullNode();
        } else {
          result = op.get("value").deepCopy();
        }
        continue;
      }
      int lastSlash = path.lastIndexOf('/');
      JsonNode parent = result.at(path.substring(0, lastSlash));
      String key = unescape(path.substring(lastSlash + 1));
      if (!(parent instanceof ContainerNode<?>)) {
        throw new IllegalArgumentException("no container at " + path.substring(0, lastSlash));
      }
      if (parent instanceof ObjectNode object) {
        if (kind.equals("remove")) {
          object.remove(key);
        } else {
          object.set(key, op.get("value").deepCopy());
        }
      } else if (parent instanceof ArrayNode array) {
        int index = key.equals("-") ? array.size() : Integer.parseInt(key);
        switch (kind) {
          case "remove" -> array.remove(index);
          case "add" -> array.insert(index, op.get("value").deepCopy());
          default -> array.set(index, op.get("value").deepCopy());
        }
      }
    }
    return result;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String key) {
    return key.replace("~1", "/").replace("~0", "~");
  }
}
