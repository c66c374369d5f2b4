package dev.sessions.local.template;

/** The template cannot be used locally; the message is one line that names the cause. */
public final class TemplateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }
}
