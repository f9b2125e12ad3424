# package.add_subdirectory's body, run as `cmake -D... -P` so that no shell splits the
# paths: configure the consumer project, build it on every core (ctest --build-and-test
# builds on one, and this build compiles the whole library again), run it.
#   -DSOURCE=<consumer project> -DBINARY=<its build folder> -DKNIT_ROOT=<knit's source>
#   -DGENERATOR=<CMake generator>
cmake_host_system_information(RESULT cores QUERY NUMBER_OF_LOGICAL_CORES)
foreach(step
    "${CMAKE_COMMAND};-S;${SOURCE};-B;${BINARY};-G;${GENERATOR};-DKNIT_ROOT=${KNIT_ROOT};-DCMAKE_BUILD_TYPE=Debug"
    "${CMAKE_COMMAND};--build;${BINARY};-j;${cores}"
    "${BINARY}/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "package.add_subdirectory: '${step}' failed (${failed})")
  endif()
endforeach()
