# plasma-sim, the mass-exit simulator (tools/sim): its engine's invariants
# and determinism, and its scenario files. The tests link the simulator's
# sources, all but its command-line front end.
set(PLASMA_SIM_DIR ${PROJECT_SOURCE_DIR}/tools/sim)
set(PLASMA_SIM_SOURCES
    ${PLASMA_SIM_DIR}/actors.c ${PLASMA_SIM_DIR}/books.c ${PLASMA_SIM_DIR}/engine.c ${PLASMA_SIM_DIR}/heap.c
    ${PLASMA_SIM_DIR}/ife.c ${PLASMA_SIM_DIR}/ife_books.c ${PLASMA_SIM_DIR}/inflight.c ${PLASMA_SIM_DIR}/jsonloc.c
    ${PLASMA_SIM_DIR}/report.c ${PLASMA_SIM_DIR}/rng.c ${PLASMA_SIM_DIR}/scenario.c ${PLASMA_SIM_DIR}/svg.c
    ${PLASMA_SIM_DIR}/units.c ${PLASMA_SIM_DIR}/world.c
)

plasma_add_test(test_sim unit/test_sim.c ${PLASMA_SIM_SOURCES} LIBS plasma_exitgame m TIMEOUT 120)
target_include_directories(test_sim PRIVATE ${PLASMA_SIM_DIR})

plasma_add_test(test_sim_ife unit/test_sim_ife.c ${PLASMA_SIM_SOURCES} LIBS plasma_exitgame m TIMEOUT 120)
target_include_directories(test_sim_ife PRIVATE ${PLASMA_SIM_DIR})

plasma_add_test(test_sim_scenario unit/test_sim_scenario.c ${PLASMA_SIM_SOURCES} LIBS plasma_exitgame m
                TIMEOUT 60)
target_include_directories(test_sim_scenario PRIVATE ${PLASMA_SIM_DIR})
target_compile_definitions(test_sim_scenario PRIVATE
                           PLASMA_SIM_SCENARIOS_DIR="${PROJECT_SOURCE_DIR}/tools/scenarios")

# The command line: help succeeds, a bad scenario file is refused with
# status 2, and a run with --json --no-timing is reproducible.
add_test(NAME tool_sim_help COMMAND plasma-sim --help)
add_test(NAME tool_sim_bad_scenario
         COMMAND sh -c "echo '{}' > sim_bad.json; $<TARGET_FILE:plasma-sim> sim_bad.json 2>/dev/null; test $? -eq 2")
add_test(NAME tool_sim_reproducible
         COMMAND sh -c "s=${PROJECT_SOURCE_DIR}/tools/scenarios/theft.json; \
a=$($<TARGET_FILE:plasma-sim> --json --no-timing --quiet $s) && \
b=$($<TARGET_FILE:plasma-sim> --json --no-timing --quiet $s) && [ \"$a\" = \"$b\" ]")
set_tests_properties(tool_sim_reproducible PROPERTIES TIMEOUT 120)
