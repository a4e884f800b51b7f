// advanced_device.c
#include <linux/init.h>
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/mutex.h>

#define DEVICE_NAME "advanced_dev"
#define CLASS_NAME "advanced"
#define BUFFER_SIZE 1024

static int major_number;
static struct class *device_class = NULL;
static struct device *device_handle = NULL;
static struct cdev device_cdev;

// 디바이스 데이터 구조체
struct device_data {
    char buffer[BUFFER_SIZE];
    size_t buffer_size;
    struct mutex lock;
    int open_count;
};

static struct device_data *dev_data;

// 디바이스 열기
static int device_open(struct inode *inode, struct file *file) {
    mutex_lock(&dev_data->lock);
    
    dev_data->open_count++;
    printk(KERN_INFO "Device opened (count: %d)\n", dev_data->open_count);
    
    // 비블록킹 오픈인지 확인
    if (file->f_flags & O_NONBLOCK) {
        printk(KERN_INFO "Non-blocking open\n");
    }
    
    mutex_unlock(&dev_data->lock);
    return 0;
}

// 디바이스 닫기
static int device_release(struct inode *inode, struct file *file) {
    mutex_lock(&dev_data->lock);
    
    dev_data->open_count--;
    printk(KERN_INFO "Device closed (count: %d)\n", dev_data->open_count);
    
    mutex_unlock(&dev_data->lock);
    return 0;
}

// 디바이스 읽기
static ssize_t device_read(struct file *file, char __user *user_buffer,
                          size_t count, loff_t *pos) {
    ssize_t bytes_read = 0;
    
    mutex_lock(&dev_data->lock);
    
    // 더 이상 읽을 데이터가 없음
    if (*pos >= dev_data->buffer_size) {
        goto out;
    }
    
    // 읽을 바이트 수 계산
    if (count > dev_data->buffer_size - *pos) {
        count = dev_data->buffer_size - *pos;
    }
    
    // 사용자 공간으로 데이터 복사
    if (copy_to_user(user_buffer, dev_data->buffer + *pos, count)) {
        bytes_read = -EFAULT;
        goto out;
    }
    
    *pos += count;
    bytes_read = count;
    
    printk(KERN_DEBUG "Read %zu bytes from device\n", count);
    
out:
    mutex_unlock(&dev_data->lock);
    return bytes_read;
}

// 디바이스 쓰기
static ssize_t device_write(struct file *file, const char __user *user_buffer,
                           size_t count, loff_t *pos) {
    ssize_t bytes_written = 0;
    
    mutex_lock(&dev_data->lock);
    
    // 버퍼 오버플로우 방지
    if (*pos >= BUFFER_SIZE) {
        bytes_written = -ENOSPC;
        goto out;
    }
    
    if (count > BUFFER_SIZE - *pos) {
        count = BUFFER_SIZE - *pos;
    }
    
    // 사용자 공간에서 데이터 복사
    if (copy_from_user(dev_data->buffer + *pos, user_buffer, count)) {
        bytes_written = -EFAULT;
        goto out;
    }
    
    *pos += count;
    if (*pos > dev_data->buffer_size) {
        dev_data->buffer_size = *pos;
    }
    
    bytes_written = count;
    printk(KERN_DEBUG "Written %zu bytes to device\n", count);
    
out:
    mutex_unlock(&dev_data->lock);
    return bytes_written;
}

// ioctl 처리
#define IOCTL_RESET    _IO('a', 1)
#define IOCTL_GET_SIZE _IOR('a', 2, int)
#define IOCTL_SET_SIZE _IOW('a', 3, int)

static long device_ioctl(struct file *file, unsigned int cmd, unsigned long arg) {
    int retval = 0;
    
    switch (cmd) {
    case IOCTL_RESET:
        mutex_lock(&dev_data->lock);
        dev_data->buffer_size = 0;
        memset(dev_data->buffer, 0, BUFFER_SIZE);
        mutex_unlock(&dev_data->lock);
        printk(KERN_INFO "Device buffer reset\n");
        break;
        
    case IOCTL_GET_SIZE:
        mutex_lock(&dev_data->lock);
        retval = put_user(dev_data->buffer_size, (int __user *)arg);
        mutex_unlock(&dev_data->lock);
        break;
        
    case IOCTL_SET_SIZE:
        {
            int new_size;
            if (get_user(new_size, (int __user *)arg)) {
                retval = -EFAULT;
                break;
            }
            
            if (new_size < 0 || new_size > BUFFER_SIZE) {
                retval = -EINVAL;
                break;
            }
            
            mutex_lock(&dev_data->lock);
            dev_data->buffer_size = new_size;
            mutex_unlock(&dev_data->lock);
            printk(KERN_INFO "Device buffer size set to %d\n", new_size);
        }
        break;
        
    default:
        retval = -ENOTTY;
        break;
    }
    
    return retval;
}

// 파일 연산 구조체
static const struct file_operations device_fops = {
    .owner = THIS_MODULE,
    .open = device_open,
    .release = device_release,
    .read = device_read,
    .write = device_write,
    .unlocked_ioctl = device_ioctl,
};

// 모듈 초기화
static int __init advanced_init(void) {
    int ret;
    dev_t dev_num;
    
    printk(KERN_INFO "Advanced device module initializing\n");
    
    // 디바이스 데이터 할당
    dev_data = kzalloc(sizeof(struct device_data), GFP_KERNEL);
    if (!dev_data) {
        return -ENOMEM;
    }
    
    mutex_init(&dev_data->lock);
    
    // 주요 번호 할당
    ret = alloc_chrdev_region(&dev_num, 0, 1, DEVICE_NAME);
    if (ret < 0) {
        printk(KERN_ERR "Failed to allocate device numbers\n");
        goto err_alloc;
    }
    
    major_number = MAJOR(dev_num);
    
    // cdev 초기화
    cdev_init(&device_cdev, &device_fops);
    device_cdev.owner = THIS_MODULE;
    
    ret = cdev_add(&device_cdev, dev_num, 1);
    if (ret) {
        printk(KERN_ERR "Failed to add cdev\n");
        goto err_cdev;
    }
    
    // 디바이스 클래스 생성
    device_class = class_create(THIS_MODULE, CLASS_NAME);
    if (IS_ERR(device_class)) {
        ret = PTR_ERR(device_class);
        printk(KERN_ERR "Failed to create device class\n");
        goto err_class;
    }
    
    // 디바이스 노드 생성
    device_handle = device_create(device_class, NULL, dev_num, NULL, DEVICE_NAME);
    if (IS_ERR(device_handle)) {
        ret = PTR_ERR(device_handle);
        printk(KERN_ERR "Failed to create device\n");
        goto err_device;
    }
    
    printk(KERN_INFO "Advanced device module loaded (major: %d)\n", major_number);
    return 0;
    
err_device:
    class_destroy(device_class);
err_class:
    cdev_del(&device_cdev);
err_cdev:
    unregister_chrdev_region(MKDEV(major_number, 0), 1);
err_alloc:
    kfree(dev_data);
    return ret;
}

// 모듈 정리
static void __exit advanced_exit(void) {
    device_destroy(device_class, MKDEV(major_number, 0));
    class_destroy(device_class);
    cdev_del(&device_cdev);
    unregister_chrdev_region(MKDEV(major_number, 0), 1);
    
    if (dev_data) {
        mutex_destroy(&dev_data->lock);
        kfree(dev_data);
    }
    
    printk(KERN_INFO "Advanced device module unloaded\n");
}

module_init(advanced_init);
module_exit(advanced_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Your Name");
MODULE_DESCRIPTION("Advanced character device driver");
MODULE_VERSION("1.0");
