package dev.sessions.json;

/** A value that writes itself as JSON, so views need not build an intermediate map. */
public interface JsonWritable {

    /** Appends this value's compact JSON form to {@code out}. */
    void writeJson(StringBuilder out);
}
