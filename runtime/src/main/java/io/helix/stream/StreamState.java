package io.helix.stream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.helix.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream's chunks, as the batches they were appended in (appending copies only the list of
 * batches, not the chunks).
 */
public record StreamState(List<List<StreamChunk>> batches, long nextOffset, boolean ended)
    implements CborSerializable {

  public static final StreamState EMPTY = new StreamState(List.of(), 0, false);

  StreamState append(List<StreamChunk> chunks) {
    List<List<StreamChunk>> more = new ArrayList<>(batches.size() + 1);
    more.addAll(batches);
    more.add(chunks);
    return new StreamState(List.copyOf(more), nextOffset + chunks.size(), ended);
  }

  StreamState end() {
    return new StreamState(batches, nextOffset, true);
  }

  /** The chunks from {@code fromOffset} on. */
  @JsonIgnore
  List<StreamChunk> from(long fromOffset) {
    List<StreamChunk> out = new ArrayList<>();
    int first = firstBatchHolding(fromOffset);
    for (int i = first; i < batches.size(); i++) {
      for (StreamChunk chunk : batches.get(i)) {
        if (chunk.seq() >= fromOffset) {
          out.add(chunk);
        }
      }
    }
    return out;
  }

  private int firstBatchHolding(long offset) {
    int low = 0;
    int high = batches.size() - 1;
    int found = batches.size();
    while (low <= high) {
      int mid = (low + high) >>> 1;
      List<StreamChunk> batch = batches.get(mid);
      if (batch.get(batch.size() - 1).seq() >= offset) {
        found = mid;
        high = mid - 1;
      } else {
        low = mid + 1;
      }
    }
    return found;
  }
}
