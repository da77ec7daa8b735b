#include "rw/ui/models/store_reader.h"

#include "rw/core/store/migrations.h"

namespace rw::ui {

// Lives on the reader thread; opens its connection on first use, and again after a failed open.
class StoreReaderWorker : public QObject {
 public:
  explicit StoreReaderWorker(std::filesystem::path path) : path_(std::move(path)) {}
  void run(const StoreReader::Job& job) {
    try {
      if (!db_) db_ = std::make_unique<rw::core::Database>(rw::core::open_store(path_, rw::core::OpenMode::ReadOnly));
    } catch (const std::exception& e) {
      job(nullptr, e.what());
      return;
    }
    job(db_.get(), {});
  }

 private:
  std::filesystem::path path_;
  std::unique_ptr<rw::core::Database> db_;
};

StoreReader::StoreReader(std::filesystem::path store_path, QObject* parent)
    : QObject(parent), worker_(new StoreReaderWorker(std::move(store_path))) {
  thread_.setObjectName(QStringLiteral("store reader"));
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.start();
}

StoreReader::~StoreReader() {
  thread_.quit();
  thread_.wait();
}

void StoreReader::post(Job job) {
  QMetaObject::invokeMethod(worker_, [worker = worker_, job = std::move(job)] { worker->run(job); });
}

}  // namespace rw::ui
