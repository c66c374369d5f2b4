package dev.sessions.json;

/**
 * A number literal beyond the {@link Json.NumberLimits} it was read under, kept as a value so that
 * whoever checks the document can refuse it with its path: never a number to compute with.
 */
public final class UnrepresentableNumber extends Number {

    private static final long serialVersionUID = 1L;

    private final String literal;
    private final String problem;

    /**
     * @param literal the literal's first characters, for messages
     * @param problem what is wrong with it, as a predicate: "has more than 38 significant digits"
     */
    UnrepresentableNumber(String literal, String problem) {
        this.literal = literal;
        this.problem = problem;
    }

    /** What is wrong with it, as a predicate: "has more than 38 significant digits". */
    public String problem() {
        return problem;
    }

    @Override
    public int intValue() {
        throw unusable();
    }

    @Override
    public long longValue() {
        throw unusable();
    }

    @Override
    public float floatValue() {
        throw unusable();
    }

    @Override
    public double doubleValue() {
        throw unusable();
    }

    private IllegalStateException unusable() {
        return new IllegalStateException("the number " + literal + "... " + problem + " and has no value here");
    }

    @Override
    public String toString() {
        return literal;
    }
}
