// Offline fitting of the answer-confidence model (retrieval/answer_confidence.h): used by
// `chatbot eval --fit-confidence`, never on the request path.
#include <cmath>

#include "retrieval/answer_confidence.h"

namespace chatbot::retrieval {

namespace {

constexpr std::size_t kParams = ConfidenceFeatures::kCount + 1;  // the bias first
using Vector = std::array<double, kParams>;
using Matrix = std::array<Vector, kParams>;

Vector row(const ConfidenceFeatures& f) {
  Vector x{};
  x[0] = 1.0;
  for (std::size_t i = 0; i < ConfidenceFeatures::kCount; ++i) x[i + 1] = f.values[i];
  return x;
}

// Solves a x = b by Gaussian elimination with partial pivoting; false when a is singular.
bool solve(Matrix a, Vector b, Vector& x) {
  for (std::size_t col = 0; col < kParams; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < kParams; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    }
    if (std::abs(a[pivot][col]) < 1e-12) return false;
    std::swap(a[col], a[pivot]);
    std::swap(b[col], b[pivot]);
    for (std::size_t r = col + 1; r < kParams; ++r) {
      const double factor = a[r][col] / a[col][col];
      for (std::size_t c = col; c < kParams; ++c) a[r][c] -= factor * a[col][c];
      b[r] -= factor * b[col];
    }
  }
  for (std::size_t i = kParams; i-- > 0;) {
    double sum = b[i];
    for (std::size_t c = i + 1; c < kParams; ++c) sum -= a[i][c] * x[c];
    x[i] = sum / a[i][i];
  }
  return true;
}

// One Newton step's gradient and Hessian of the penalised negative log-likelihood at `w`.
void derivatives(const std::vector<Vector>& rows, const std::vector<int>& labels, const Vector& w,
                 double l2, Vector& gradient, Matrix& hessian) {
  gradient = {};
  hessian = {};
  for (std::size_t n = 0; n < rows.size(); ++n) {
    double z = 0;
    for (std::size_t i = 0; i < kParams; ++i) z += w[i] * rows[n][i];
    const double p = 1.0 / (1.0 + std::exp(-z));
    const double weight = std::max(p * (1 - p), 1e-9);
    for (std::size_t i = 0; i < kParams; ++i) {
      gradient[i] += (p - labels[n]) * rows[n][i];
      for (std::size_t j = 0; j < kParams; ++j) hessian[i][j] += weight * rows[n][i] * rows[n][j];
    }
  }
  for (std::size_t i = 1; i < kParams; ++i) {  // the bias is not penalised
    gradient[i] += l2 * w[i];
    hessian[i][i] += l2;
  }
}

}  // namespace

Result<ConfidenceModel> fitConfidenceModel(const std::vector<ConfidenceFeatures>& examples,
                                           const std::vector<int>& labels, double l2) {
  std::size_t positives = 0;
  for (const int y : labels) positives += y == 1 ? 1 : 0;
  if (examples.size() != labels.size() || positives == 0 || positives == labels.size()) {
    return Error::invalidInput(
        "fitting the confidence model needs questions the knowledge base answers and questions "
        "it does not (or whose top results are wrong)");
  }
  std::vector<Vector> rows;
  rows.reserve(examples.size());
  for (const auto& e : examples) rows.push_back(row(e));
  Vector w{};
  for (int iteration = 0; iteration < 100; ++iteration) {
    Vector gradient;
    Matrix hessian;
    derivatives(rows, labels, w, l2 * static_cast<double>(rows.size()), gradient, hessian);
    Vector step{};
    if (!solve(hessian, gradient, step)) break;
    double size = 0;
    for (std::size_t i = 0; i < kParams; ++i) {
      w[i] -= step[i];
      size += step[i] * step[i];
    }
    if (size < 1e-16) break;
  }
  std::array<double, ConfidenceFeatures::kCount> weights{};
  for (std::size_t i = 0; i < ConfidenceFeatures::kCount; ++i) weights[i] = w[i + 1];
  return ConfidenceModel(w[0], weights);
}

}  // namespace chatbot::retrieval
