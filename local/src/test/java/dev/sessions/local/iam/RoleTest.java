package dev.sessions.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** IAM's evaluation of one identity's statements: an explicit deny wins, an allow is needed, wildcards as IAM reads them. */
class RoleTest {

    private static final String TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/sessions";

    private static Statement allow(List<String> actions, List<String> resources) {
        return new Statement(true, actions, false, resources, false, false);
    }

    @Test
    void givenActionsAndResources_whenDecided_thenOnlyWhatAStatementCoversIsAllowed() {
        Role role = new Role("r", List.of(allow(List.of("dynamodb:GetItem", "dynamodb:Update*"), List.of(TABLE)),
                allow(List.of("sqs:SendMessage?"), List.of("*"))));

        assertEquals(Role.Decision.ALLOWED, role.decide("dynamodb:GetItem", TABLE));
        assertEquals(Role.Decision.ALLOWED, role.decide("DynamoDB:updateitem", TABLE), "actions compare without case");
        assertEquals(Role.Decision.IMPLICITLY_DENIED, role.decide("dynamodb:PutItem", TABLE));
        assertEquals(Role.Decision.IMPLICITLY_DENIED, role.decide("dynamodb:GetItem", TABLE + "-other"));
        assertEquals(Role.Decision.IMPLICITLY_DENIED, role.decide("dynamodb:GetItem", TABLE.toUpperCase()),
                "resources compare with case");
        assertEquals(Role.Decision.ALLOWED, role.decide("sqs:SendMessageX", "arn:aws:sqs:us-east-1:1:q"));
        assertEquals(Role.Decision.IMPLICITLY_DENIED, role.decide("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"),
                "? is exactly one character");
    }

    @Test
    void givenADenyAndAWildcardAllow_whenDecided_thenTheDenyWins() {
        Role role = new Role("r", List.of(allow(List.of("dynamodb:*"), List.of("*")),
                new Statement(false, List.of("dynamodb:DeleteItem"), false, List.of(TABLE), false, false)));

        assertEquals(Role.Decision.EXPLICITLY_DENIED, role.decide("dynamodb:DeleteItem", TABLE));
        assertEquals(Role.Decision.ALLOWED, role.decide("dynamodb:DeleteItem", TABLE + "/index/x"));
    }

    @Test
    void givenNotActionAndNotResource_whenDecided_thenEverythingButThemIsCovered() {
        Role role = new Role("r", List.of(new Statement(true, List.of("dynamodb:Delete*"), true, List.of(TABLE), true,
                false)));

        assertEquals(Role.Decision.ALLOWED, role.decide("dynamodb:GetItem", TABLE + "2"));
        assertEquals(Role.Decision.IMPLICITLY_DENIED, role.decide("dynamodb:DeleteItem", TABLE + "2"));
        assertEquals(Role.Decision.IMPLICITLY_DENIED, role.decide("dynamodb:GetItem", TABLE));
        assertTrue(role.mentions("dynamodb:GetItem") == false, "a NotAction statement names no action");
        assertFalse(role.mentions("dynamodb:DeleteItem"));
    }
}
