plasma_add_test(test_http unit/test_http.c LIBS plasma_http)
