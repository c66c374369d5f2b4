package dev.sessions.tools;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of an operations tool: options that take a value, flags that do not. A bad
 * command line is one line on stderr (what is wrong, then the usage) and exit code 2, as the tools'
 * callers expect.
 *
 * @param values each valued option given, by its name ({@code --table})
 * @param flags the flags given
 */
record ToolArguments(Map<String, String> values, Set<String> flags) {

    /** A command line that cannot be run: its one-line message. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads {@code args}.
     *
     * @param valued the options that take a value
     * @param flags the options that do not
     * @param required the valued options that must be there
     * @param usage the usage, added in parentheses to a message about an unknown or missing option
     * @throws Refused naming what is wrong
     */
    static ToolArguments parse(String[] args, List<String> valued, List<String> flags, List<String> required,
                               String usage) throws Refused {
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> given = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            if (flags.contains(args[i])) {
                given.add(args[i]);
            } else if (valued.contains(args[i])) {
                if (i + 1 >= args.length) {
                    throw new Refused("error: " + args[i] + " needs a value");
                }
                values.put(args[i], args[++i]);
            } else {
                throw new Refused("error: unknown argument " + args[i] + " (" + usage + ")");
            }
        }
        if (!values.keySet().containsAll(required)) {
            throw new Refused("error: " + String.join(" and ", required) + (required.size() > 1 ? " are" : " is")
                    + " required (" + usage + ")");
        }
        return new ToolArguments(values, given);
    }

    String get(String option) {
        return values.get(option);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }
}
