// StoreReader: runs the GUI's one-off store reads (corpus lists, documents, BM25 search) on one worker
// thread with its own read-only connection, and hands each result back to the UI thread. A read that takes
// long (a search over a million chunks, a large document) then delays only the next read, never the window.
// The live run data is StorePoller's (store_poller.h).
#pragma once
#include <QObject>
#include <QPointer>
#include <QThread>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rw/core/store/database.h"

namespace rw::ui {

class StoreReaderWorker;

class StoreReader : public QObject {
  Q_OBJECT
 public:
  /// A job gets the connection, or nullptr and why it could not be opened.
  using Job = std::function<void(rw::core::Database*, const std::string&)>;

  explicit StoreReader(std::filesystem::path store_path, QObject* parent = nullptr);
  ~StoreReader() override;

  /// Runs `read` on the reader thread; then `done` (result) or `failed` (the error's message) on the thread
  /// of `context`, unless `context` is gone by then.
  template <typename T>
  void read(QObject* context, std::function<T(rw::core::Database&)> read, std::function<void(T)> done,
            std::function<void(QString)> failed = {}) {
    QPointer<QObject> guard(context);
    post([guard, read = std::move(read), done = std::move(done), failed = std::move(failed)](
             rw::core::Database* db, const std::string& open_error) {
      std::optional<T> result;
      QString error = QString::fromStdString(open_error);
      try {
        if (db) result.emplace(read(*db));
      } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
      }
      if (!guard) return;
      QMetaObject::invokeMethod(guard.data(), [guard, result = std::move(result), error, done, failed]() mutable {
        if (!guard) return;
        if (result)
          done(std::move(*result));
        else if (failed)
          failed(error);
      });
    });
  }

 private:
  void post(Job job);

  QThread thread_;
  StoreReaderWorker* worker_;
};

}  // namespace rw::ui
