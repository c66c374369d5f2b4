package dev.sessions.local.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Loads a CloudFormation YAML template into plain maps, lists and scalars, turning the short
 * forms ({@code !Ref x}, {@code !GetAtt a.b}, {@code !Sub ...}) into their long forms
 * ({@code {"Ref": "x"}}, {@code {"Fn::GetAtt": ["a", "b"]}}), so one evaluator handles both.
 */
final class CfnYaml {

    private static final List<String> FUNCTIONS = List.of("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs",
            "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
            "ToJsonString", "Length",
            // the rule functions of a template's Rules section
            "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll");

    private CfnYaml() {
    }

    /** @throws TemplateException naming the line of a YAML syntax error */
    static Map<String, Object> load(String yaml) {
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setLabel("template").build();
        Object document;
        try {
            document = new Load(settings, new Constructor(settings)).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new TemplateException("template is not valid YAML: " + e.getMessage().replaceAll("\\s+", " ").strip());
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new TemplateException("template is not a YAML mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) map;
        return result;
    }

    private static final class Constructor extends StandardConstructor {

        Constructor(LoadSettings settings) {
            super(settings);
            tagConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            tagConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            for (String name : FUNCTIONS) {
                tagConstructors.put(new Tag("!" + name), new Intrinsic("Fn::" + name));
            }
        }

        private final class Intrinsic implements ConstructNode {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value = switch (node) {
                    case ScalarNode scalar -> {
                        String text = constructScalar(scalar);
                        // !GetAtt Resource.Attribute is the short form of [Resource, Attribute]
                        if (key.equals("Fn::GetAtt")) {
                            int dot = text.indexOf('.');
                            yield dot < 0 ? text : List.of(text.substring(0, dot), text.substring(dot + 1));
                        }
                        yield text;
                    }
                    case SequenceNode sequence -> new ArrayList<>(constructSequence(sequence));
                    case MappingNode mapping -> new LinkedHashMap<>(constructMapping(mapping));
                    default -> throw new TemplateException("unsupported YAML node for " + key);
                };
                Map<String, Object> intrinsic = new LinkedHashMap<>();
                intrinsic.put(key, value);
                return intrinsic;
            }
        }
    }
}
