/* Fuzz target: plasma-sim scenario files (docs/simulation.md): the input is
 * the file's text. The parser answers a scenario or SIM_EBADSCENARIO with a
 * message (or nomem), never a crash. */
#include "fuzz.h"
#include "plasma/err.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_scenario *sc = NULL;
    char err[256] = "";
    int rc = sim_scenario_parse(&sc, (const char *)data, size, "fuzz", err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == SIM_EBADSCENARIO || rc == PLASMA_ERR_NOMEM);
    FUZZ_CHECK(rc != SIM_EBADSCENARIO || err[0]);
    FUZZ_CHECK((rc == 0) == (sc != NULL));
    sim_scenario_free(sc);
    return 0;
}
