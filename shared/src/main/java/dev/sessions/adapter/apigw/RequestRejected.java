package dev.sessions.adapter.apigw;

/** A request refused before any store call, with the problem to answer. */
public final class RequestRejected extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    public RequestRejected(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
