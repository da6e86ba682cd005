# The shell blocks of README.md and docs/client.md, run as written against a
# fresh plasma-operator --dev (see the test's header for the convention).
# Not in the sanitizer build: a whole walkthrough with scrypt keystores is
# slow there, and test_client_cli covers the same code paths.
if(TARGET plasma-operator AND NOT PLASMA_SANITIZE)
    set(DOCS_IT_DIR ${CMAKE_CURRENT_LIST_DIR})
    plasma_add_test(test_doc_walkthroughs ${DOCS_IT_DIR}/test_doc_walkthroughs.c LIBS plasma_core TIMEOUT 600)
    target_include_directories(test_doc_walkthroughs PRIVATE ${DOCS_IT_DIR}/../operator)
    target_compile_definitions(test_doc_walkthroughs PRIVATE PLASMA_OPERATOR_BIN="$<TARGET_FILE:plasma-operator>"
                                                             PLASMA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                             PLASMA_BUILD_DIR="${CMAKE_BINARY_DIR}")
    add_dependencies(test_doc_walkthroughs plasma-operator plasma plasma-bench)
    # The longest test: started first, so that it does not run alone at the end.
    set_tests_properties(test_doc_walkthroughs PROPERTIES COST 1000)
endif()
