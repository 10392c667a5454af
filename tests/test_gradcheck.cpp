#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>
