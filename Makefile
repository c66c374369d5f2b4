# `sam build` runs `make build-<LogicalId>` for each function whose template entry says
# `Metadata: BuildMethod: makefile`, with ARTIFACTS_DIR set to .aws-sam/build/<LogicalId>.
# SAM's own Maven builder copies only the CodeUri folder, so it cannot see the parent POM or
# the shared module; here each target runs the Maven reactor for its module (-pl ... -am) and
# lays the jars out as Lambda's Java runtime reads them: /var/task/lib/*.jar.
#
# JAVA_HOME must name a JDK 21 or newer (the scripts pick one). `samconfig.toml` turns on
# build_in_source, so Maven works in this folder instead of a copy of the whole repository.

MVN ?= mvn
MVN_FLAGS ?= -B -q -DskipTests

# target/lib is emptied first: copy-dependencies adds, never removes, so a dependency dropped
# since the last build would otherwise ship.
define package-function
	rm -rf $(1)/target/lib
	$(MVN) $(MVN_FLAGS) -pl $(1) -am package
	rm -rf "$(ARTIFACTS_DIR)/lib"
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp $(1)/target/lib/*.jar "$(ARTIFACTS_DIR)/lib/"
	cp $(1)/target/$(notdir $(1))-function.jar "$(ARTIFACTS_DIR)/lib/"
endef

.PHONY: build-HelloFunction build-VisitsFunction build-SessionsFunction build-AdminFunction build-StatsFunction \
	build-SessionSyncFunction build-AggregatesFunction build-SessionAuthorizerFunction build-MeFunction

build-HelloFunction:
	$(call package-function,functions/hello)

build-VisitsFunction:
	$(call package-function,functions/visits)

build-SessionsFunction:
	$(call package-function,functions/sessions)

build-AdminFunction:
	$(call package-function,functions/admin)

build-StatsFunction:
	$(call package-function,functions/stats)

build-SessionSyncFunction:
	$(call package-function,functions/session-sync)

build-AggregatesFunction:
	$(call package-function,functions/aggregates)

build-SessionAuthorizerFunction:
	$(call package-function,functions/session-authorizer)

build-MeFunction:
	$(call package-function,functions/me)
