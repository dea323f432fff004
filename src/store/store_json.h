#pragma once
// The JSON columns of the SQLite store: an exchange's cited sources, a ticket's transcript and the
// articles it tried. Kept apart from the SQL so that the stored format is in one place.
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace chatbot::store {

// JSON arrays. Never throw on text: invalid UTF-8 (which the API edge should have rejected) is
// stored with U+FFFD rather than failing the write.
std::string sourcesToJson(const std::vector<CitedSource>& sources);
std::string exchangesToJson(const std::vector<Exchange>& exchanges);

// Missing keys read as defaults, so a later version may add fields without a data migration.
// Throw StoreError when `json` is not such an array (a damaged database).
std::vector<CitedSource> sourcesFromJson(std::string_view json);
std::vector<Exchange> exchangesFromJson(std::string_view json);

}  // namespace chatbot::store
