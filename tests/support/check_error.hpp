#pragma once
// CHECK_ERROR(expr, text): expr throws tg::Error whose message contains text (a C string
// or a std::string), the form every bad-input test in the suite asserts.
#include <doctest/doctest.h>

#include <string>

#include <tapegrad/error.hpp>

#define CHECK_ERROR(expr, text) \
  CHECK_THROWS_WITH_AS(expr, doctest::Contains(std::string(text).c_str()), tg::Error)
