package dev.sessions.local.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates CloudFormation intrinsic functions in a template fragment: Ref, Fn::GetAtt,
 * Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or,
 * Condition, Fn::FindInMap, Fn::ImportValue, Fn::Base64 and AWS::NoValue, and the rule functions Fn::Contains,
 * Fn::EachMemberEquals and Fn::EachMemberIn. Anything else fails naming itself.
 */
final class Intrinsics {

    /** What {@code AWS::NoValue} evaluates to: the key or element holding it disappears. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "AWS::NoValue";
        }
    };

    /** Where names resolve: parameters, pseudo parameters, resources, conditions and mappings. */
    interface Scope {
        Object ref(String name, String where);

        Object getAtt(String resource, String attribute, String where);

        boolean condition(String name, String where);

        Object findInMap(String map, String top, String second, String where);

        /** What another stack exports under {@code name}. */
        Object importValue(String name, String where);
    }

    private final Scope scope;

    Intrinsics(Scope scope) {
        this.scope = scope;
    }

    /**
     * Evaluates {@code node}.
     *
     * @param where the node's path in the template, for error messages
     */
    Object evaluate(Object node, String where) {
        if (node instanceof Map<?, ?> map) {
            if (map.size() == 1) {
                Map.Entry<?, ?> only = map.entrySet().iterator().next();
                String key = String.valueOf(only.getKey());
                if (key.equals("Ref") || key.startsWith("Fn::")
                        || (key.equals("Condition") && only.getValue() instanceof String)) {
                    return function(key, only.getValue(), where);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                Object value = evaluate(entry.getValue(), where + "." + key);
                if (value != NO_VALUE) {
                    out.put(key, value);
                }
            }
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                Object value = evaluate(list.get(i), where + "[" + i + "]");
                if (value != NO_VALUE) {
                    out.add(value);
                }
            }
            return out;
        }
        return node;
    }

    private Object function(String name, Object argument, String where) {
        String at = where + " (" + name + ")";
        return switch (name) {
            case "Ref" -> scope.ref(text(evaluate(argument, at), at), at);
            case "Condition" -> scope.condition(text(argument, at), at);
            case "Fn::GetAtt" -> {
                List<?> parts = argument instanceof String s && s.contains(".")
                        ? List.of(s.substring(0, s.indexOf('.')), s.substring(s.indexOf('.') + 1))
                        : list(evaluate(argument, at), 2, at);
                yield scope.getAtt(text(parts.get(0), at), text(parts.get(1), at), at);
            }
            case "Fn::Sub" -> sub(argument, at);
            case "Fn::Join" -> {
                List<?> args = list(argument, 2, at);
                String delimiter = text(evaluate(args.get(0), at), at);
                List<String> parts = new ArrayList<>();
                for (Object part : list(evaluate(args.get(1), at), -1, at)) {
                    parts.add(text(part, at));
                }
                yield String.join(delimiter, parts);
            }
            case "Fn::Select" -> {
                List<?> args = list(argument, 2, at);
                int index = Integer.parseInt(text(evaluate(args.get(0), at), at));
                List<?> from = list(evaluate(args.get(1), at), -1, at);
                if (index < 0 || index >= from.size()) {
                    throw new TemplateException(at + ": index " + index + " out of range");
                }
                yield from.get(index);
            }
            case "Fn::Split" -> {
                List<?> args = list(argument, 2, at);
                String delimiter = text(evaluate(args.get(0), at), at);
                String source = text(evaluate(args.get(1), at), at);
                yield List.of(source.split(java.util.regex.Pattern.quote(delimiter), -1));
            }
            case "Fn::If" -> {
                List<?> args = list(argument, 3, at);
                yield scope.condition(text(args.get(0), at), at) ? evaluate(args.get(1), at) : evaluate(args.get(2), at);
            }
            case "Fn::Equals" -> {
                List<?> args = list(argument, 2, at);
                yield scalarText(evaluate(args.get(0), at)).equals(scalarText(evaluate(args.get(1), at)));
            }
            // rule functions (a template's Rules section)
            case "Fn::Contains" -> {
                List<?> args = list(argument, 2, at);
                yield listOfText(evaluate(args.get(0), at), at).contains(scalarText(evaluate(args.get(1), at)));
            }
            case "Fn::EachMemberEquals" -> {
                List<?> args = list(argument, 2, at);
                String value = scalarText(evaluate(args.get(1), at));
                yield listOfText(evaluate(args.get(0), at), at).stream().allMatch(value::equals);
            }
            case "Fn::EachMemberIn" -> {
                List<?> args = list(argument, 2, at);
                yield listOfText(evaluate(args.get(1), at), at).containsAll(listOfText(evaluate(args.get(0), at), at));
            }
            case "Fn::Not" -> !bool(evaluate(list(argument, 1, at).get(0), at), at);
            case "Fn::And" -> {
                boolean all = true;
                for (Object term : list(argument, -1, at)) {
                    all &= bool(evaluate(term, at), at);
                }
                yield all;
            }
            case "Fn::Or" -> {
                boolean any = false;
                for (Object term : list(argument, -1, at)) {
                    any |= bool(evaluate(term, at), at);
                }
                yield any;
            }
            case "Fn::FindInMap" -> {
                List<?> args = list(argument, 3, at);
                yield scope.findInMap(text(evaluate(args.get(0), at), at), text(evaluate(args.get(1), at), at),
                        text(evaluate(args.get(2), at), at), at);
            }
            case "Fn::ImportValue" -> scope.importValue(text(evaluate(argument, at), at), at);
            case "Fn::Base64" -> Base64.getEncoder().encodeToString(
                    text(evaluate(argument, at), at).getBytes(StandardCharsets.UTF_8));
            default -> throw new TemplateException(where + ": " + name + " is not supported by the local runtime");
        };
    }

    private Object sub(Object argument, String at) {
        String template;
        Map<String, Object> variables = Map.of();
        if (argument instanceof List<?> list) {
            List<?> args = list(list, 2, at);
            template = text(args.get(0), at);
            Object vars = evaluate(args.get(1), at);
            if (!(vars instanceof Map<?, ?> map)) {
                throw new TemplateException(at + ": the second argument must be a mapping");
            }
            Map<String, Object> named = new LinkedHashMap<>();
            map.forEach((k, v) -> named.put(String.valueOf(k), v));
            variables = named;
        } else {
            template = text(argument, at);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf("${", i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open);
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new TemplateException(at + ": unclosed ${ in \"" + template + "\"");
            }
            String name = template.substring(open + 2, close);
            if (name.startsWith("!")) {
                out.append("${").append(name.substring(1)).append('}');
            } else if (variables.containsKey(name)) {
                out.append(text(variables.get(name), at));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                out.append(text(scope.getAtt(name.substring(0, dot), name.substring(dot + 1), at), at));
            } else {
                out.append(text(scope.ref(name, at), at));
            }
            i = close + 1;
        }
        return out.toString();
    }

    private static List<?> list(Object value, int size, String at) {
        if (!(value instanceof List<?> list) || (size >= 0 && list.size() != size)) {
            throw new TemplateException(at + ": expected a list" + (size >= 0 ? " of " + size : ""));
        }
        return list;
    }

    static String text(Object value, String at) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        throw new TemplateException(at + ": expected a string, found " + (value instanceof List ? "a list" : "a mapping"));
    }

    private static String scalarText(Object value) {
        return String.valueOf(value);
    }

    private static boolean bool(Object value, String at) {
        if (value instanceof Boolean b) {
            return b;
        }
        if ("true".equals(value) || "false".equals(value)) {
            return Boolean.parseBoolean((String) value);
        }
        throw new TemplateException(at + ": expected a condition, found " + value);
    }

    private static List<String> listOfText(Object value, String at) {
        if (!(value instanceof List<?> list)) {
            throw new TemplateException(at + ": a rule function needs a list here, not " + value);
        }
        return list.stream().map(Intrinsics::scalarText).toList();
    }
}
