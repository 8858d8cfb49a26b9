#pragma once
/// @file error.hpp
/// The exceptions cairn throws at its API boundaries. Every message names the thing that is wrong
/// and, where one exists, the fix.

#include <stdexcept>
#include <string>

namespace cairn {

/// Base of every error cairn reports to a user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The pipeline's Definitions are inconsistent (duplicate key, unknown dependency, cycle, ...).
class DefinitionError : public Error {
 public:
  using Error::Error;
};

/// A selection expression could not be parsed or names something that does not exist.
class SelectionError : public Error {
 public:
  using Error::Error;
};

/// Run config is malformed, has undeclared keys, or has values of the wrong type.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// The instance (directory, database) cannot be opened, read or written.
class StorageError : public Error {
 public:
  using Error::Error;
};

/// A run, asset or value that was asked for does not exist.
class NotFoundError : public Error {
 public:
  using Error::Error;
};

/// Thrown by Context::throw_if_cancelled() when the run was cancelled or the step timed out;
/// the engine records the step as stopped, not as failed by user code.
class StepCanceled : public Error {
 public:
  using Error::Error;
};

}  // namespace cairn
