package io.helix.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import io.helix.serialization.CborSerializable;
import java.util.Iterator;
import java.util.Map;

/**
 * One chunk of a stream. Its offset ({@code seq}) is assigned once by the stream's entity and never
 * changes; before that it is {@link #UNASSIGNED}.
 *
 * @param type a helix-agents chunk type, see {@link ChunkTypes}
 * @param runId the run that produced it (helix-agents: {@code agentId}); a sub-agent's own id
 * @param step the producing run's step, 0 before its first model call
 * @param data the type's own fields, e.g. {@code delta} of a {@code text_delta}
 */
public record StreamChunk(
    long seq, String type, String runId, String agentType, int step, long timestamp, JsonNode data)
    implements CborSerializable {

  public static final long UNASSIGNED = -1;

  public static StreamChunk of(
      String type, String runId, String agentType, int step, long timestamp, ObjectNode data) {
    return new StreamChunk(UNASSIGNED, type, runId, agentType, step, timestamp, data);
  }

  public StreamChunk withSeq(long offset) {
    return new StreamChunk(offset, type, runId, agentType, step, timestamp, data);
  }

  /** The wire form: the common fields and the type's own fields in one flat object. */
  public ObjectNode toJson() {
    ObjectNode json = Json.object();
    json.put("seq", seq);
    json.put("type", type);
    json.put("runId", runId);
    json.put("agentId", runId);
    json.put("agentType", agentType);
    json.put("step", step);
    json.put("timestamp", timestamp);
    if (data != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        json.set(field.getKey(), field.getValue());
      }
    }
    return json;
  }
}
