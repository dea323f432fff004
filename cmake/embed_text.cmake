# Writes a C++ source defining `std::string_view chatbot::embedded::openapiDocument()` from INPUT.
file(READ ${INPUT} content)
string(FIND "${content}" ")__EMBED__" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\n"
  "namespace chatbot::embedded {\nstd::string_view openapiDocument() {\n"
  "  static constexpr std::string_view kText = R\"__EMBED__(${content})__EMBED__\";\n"
  "  return kText;\n}\n}  // namespace chatbot::embedded\n")
