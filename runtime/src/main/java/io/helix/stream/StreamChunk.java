package io.helix.stream;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import io.helix.serialization.CborSerializable;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * One chunk of a stream. Its offset ({@code seq}) is assigned once by the stream's entity and never
 * changes; before that it is {@link #UNASSIGNED}.
 *
 * <p>An immutable value with record-style accessors. It is a class rather than a record only so it
 * can keep its wire form once rendered: a chunk fanned out to a thousand subscribers is serialized
 * once, not a thousand times.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class StreamChunk implements CborSerializable {

  public static final long UNASSIGNED = -1;

  private final long seq;
  private final String type;
  private final String runId;
  private final String agentType;
  private final int step;
  private final long timestamp;
  private final JsonNode data;

  // the rendered wire form, computed at most a few times (racy but idempotent)
  @JsonIgnore private transient volatile String json;

  /**
   * @param type a helix-agents chunk type, see {@link ChunkTypes}
   * @param runId the run that produced it (helix-agents: {@code agentId}); a sub-agent's own id
   * @param step the producing run's step, 0 before its first model call
   * @param data the type's own fields, e.g. {@code delta} of a {@code text_delta}
   */
  @JsonCreator
  public StreamChunk(
      @JsonProperty("seq") long seq,
      @JsonProperty("type") String type,
      @JsonProperty("runId") String runId,
      @JsonProperty("agentType") String agentType,
      @JsonProperty("step") int step,
      @JsonProperty("timestamp") long timestamp,
      @JsonProperty("data") JsonNode data) {
    this.seq = seq;
    this.type = type;
    this.runId = runId;
    this.agentType = agentType;
    this.step = step;
    this.timestamp = timestamp;
    this.data = data;
  }

  public static StreamChunk of(
      String type, String runId, String agentType, int step, long timestamp, ObjectNode data) {
    return new StreamChunk(UNASSIGNED, type, runId, agentType, step, timestamp, data);
  }

  public StreamChunk withSeq(long offset) {
    return new StreamChunk(offset, type, runId, agentType, step, timestamp, data);
  }

  public long seq() {
    return seq;
  }

  public String type() {
    return type;
  }

  public String runId() {
    return runId;
  }

  public String agentType() {
    return agentType;
  }

  public int step() {
    return step;
  }

  public long timestamp() {
    return timestamp;
  }

  public JsonNode data() {
    return data;
  }

  /** The wire form: the common fields and the type's own fields in one flat object. */
  public ObjectNode toJson() {
    ObjectNode out = Json.object();
    out.put("seq", seq);
    out.put("type", type);
    out.put("runId", runId);
    out.put("agentId", runId);
    out.put("agentType", agentType);
    out.put("step", step);
    out.put("timestamp", timestamp);
    if (data != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        out.set(field.getKey(), field.getValue());
      }
    }
    return out;
  }

  /** {@link #toJson()} as text, rendered once per chunk instance. */
  public String toJsonString() {
    String rendered = json;
    if (rendered == null) {
      rendered = Json.write(toJson());
      json = rendered;
    }
    return rendered;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StreamChunk that
        && seq == that.seq
        && step == that.step
        && timestamp == that.timestamp
        && Objects.equals(type, that.type)
        && Objects.equals(runId, that.runId)
        && Objects.equals(agentType, that.agentType)
        && Objects.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, type, runId, agentType, step, timestamp, data);
  }

  @Override
  public String toString() {
    return "StreamChunk[seq="
        + seq
        + ", type="
        + type
        + ", runId="
        + runId
        + ", agentType="
        + agentType
        + ", step="
        + step
        + ", timestamp="
        + timestamp
        + ", data="
        + data
        + "]";
  }
}
