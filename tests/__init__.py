"""The test suite, a package so that its modules share helpers through tests.support."""
